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
export type TenantTokenDeps = Pick<Shared, "jwt" | "clock" | "metrics"> & {
  sessions: Pick<TenantSessionRepository, "findLive">;
};

/**
 * Tenant access token → principal. The signature, `typ: tenant+jwt`, issuer, audience and expiry
 * are checked first; then one read finds the session still active, the tenant active, the user
 * active and still an agent of the tenant, with their current tenant role. So removing an agent,
 * disabling a tenant or disabling a user stops their tokens on the next request (no cache: the
 * check is the point). Every failure is the same 401.
 */
export class TenantTokenAuthenticator {
  constructor(private readonly deps: TenantTokenDeps) {}

  async authenticate(token: string): Promise<Principal> {
    const { jwt, clock, sessions, metrics } = this.deps;
    const payload = await jwt.verify("tenant", token);
    const tenantId = payload.tenant_id;
    const sessionId = payload.sid;
    if (typeof tenantId !== "string" || typeof sessionId !== "string") throw invalid();
    const live = await sessions.findLive(tenantId, sessionId, clock.now());
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
