import { AppError } from "../../platform/errors";
import type { Shared } from "../../shared";
import { type Principal, SCOPES } from "../authorization/principal";
import type { TenantRole } from "./repository";
import type { TenantSessionRepository } from "./session-repository";

/** The claims of a tenant access token besides `iss`, `aud`, `iat` and `exp`. */
export interface TenantTokenClaims {
  [claim: string]: unknown;
  sub: string;
  /** The tenant's slug (the issue's `tenant` claim), for the gateway. */
  tenant: string;
  tenant_id: string;
  /** The agent's tenant role when the token was issued; the service reads the current one per use. */
  role: TenantRole;
  /** The tenant session's public id. */
  sid: string;
}

/** What `TenantTokenAuthenticator` is built from. */
export type TenantTokenDeps = Pick<Shared, "jwt" | "clock" | "metrics" | "credentials"> & {
  sessions: Pick<TenantSessionRepository, "findLive">;
};

/**
 * Tenant access token → principal. The signature, `typ: tenant+jwt`, issuer, audience and expiry
 * are checked first; then one read finds the session still active, the tenant active, the user
 * active and still an agent of the tenant, with their current tenant role. The answer is reused by
 * this isolate for `AUTH_CACHE_SECONDS` like every credential check (`shared.credentials`), and the
 * isolate that removes an agent, changes a role or a tenant forgets it at once; so such a change
 * stops the tokens on the next request here and within `AUTH_CACHE_SECONDS` everywhere. Every
 * failure is the same 401.
 */
export class TenantTokenAuthenticator {
  constructor(private readonly deps: TenantTokenDeps) {}

  async authenticate(token: string): Promise<Principal> {
    const { jwt, clock, sessions, metrics, credentials } = this.deps;
    const payload = await jwt.verify("tenant", token);
    const tenantId = payload.tenant_id;
    const sessionId = payload.sid;
    if (typeof tenantId !== "string" || typeof sessionId !== "string") throw invalid();
    let live = credentials.tenantSession(tenantId, sessionId);
    if (!live) {
      const found = await sessions.findLive(tenantId, sessionId, clock.now());
      live = found && { ...found, tenantId };
      if (live) credentials.keepTenantSession(live);
    }
    if (!live || live.userId !== payload.sub) {
      metrics.increment("tokens_auth_failures_total", { reason: "revoked_token" });
      throw invalid();
    }
    return {
      kind: "tenant",
      userId: live.userId,
      role: live.globalRole,
      scopes: SCOPES,
      tenantId,
      tenantSlug: live.tenantSlug,
      tenantRole: live.role,
      tenantSessionId: live.sessionId,
    };
  }
}

function invalid(): AppError {
  return new AppError("INVALID_TOKEN", "The tenant session has ended or the token is not valid");
}
