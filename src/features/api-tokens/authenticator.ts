import { AppError } from "../../platform/errors";
import { ipInCidrs, parseCidr, parseIpAddress } from "../../platform/ip-address";
import { hashSecret } from "../../platform/secrets";
import type { Shared } from "../../shared";
import { isPermission } from "../authorization/permissions";
import { maxScopeOf, narrowerScope, type Principal, scopesUpTo } from "../authorization/principal";
import type { LabelsOf } from "../metrics/catalog";
import { parseRateLimit } from "../rate-limit/policies";
import { type ApiTokenWithOwner, isApiTokenActive } from "./api-token";
import type { ApiTokenRepository } from "./repository";
import type { IsolateThrottle } from "./throttle";
import { checkApiTokenFormat } from "./token-format";

/** `last_used_at` is written at most this often per token. */
export const LAST_USED_INTERVAL_MS = 60_000;
/** The same failure of the same token is audited at most this often per isolate. */
const FAILURE_AUDIT_INTERVAL_MS = 60_000;

type Failure = LabelsOf<"tokens_api_token_auth_failures_total">["reason"];

export type ApiTokenAuthenticatorDeps = Pick<
  Shared,
  "clock" | "client" | "audit" | "metrics" | "background" | "credentials"
> & {
  tokens: Pick<ApiTokenRepository, "findByHash" | "touchLastUsed">;
  throttle: IsolateThrottle;
};

/**
 * API token → principal: the hot path of every API-token request. The format and checksum are
 * checked before any lookup; the lookup is one indexed read on the hash (or a positive cache hit of
 * at most `AUTH_CACHE_SECONDS`), returning the owner's current role and status with the token.
 * Unknown, malformed, expired, revoked and disabled-owner tokens all get the same 401; a live token
 * used from outside its IP allow-list gets 403. The principal acts as the owner with the owner's
 * current role, and never above the scope that role allows.
 */
export class ApiTokenAuthenticator {
  constructor(private readonly deps: ApiTokenAuthenticatorDeps) {}

  async authenticate(credential: string): Promise<Principal> {
    const format = checkApiTokenFormat(credential);
    if (format !== "ok") throw this.refuse(format === "malformed" ? "malformed" : "bad_checksum");
    const now = this.deps.clock.now();
    const token = await this.lookup(await hashSecret(credential));
    if (!token) throw this.refuse("unknown");
    const dead = deadReason(token, now);
    if (dead) {
      await this.auditFailure(token, dead, now);
      throw this.refuse(dead);
    }
    if (token.allowedIps && !this.fromAllowedAddress(token.allowedIps)) {
      await this.auditFailure(token, "ip_not_allowed", now);
      this.deps.metrics.increment("tokens_api_token_auth_failures_total", { reason: "ip_not_allowed" });
      throw new AppError("FORBIDDEN", "This API token may not be used from this address");
    }
    this.recordUse(token, now);
    return principalOf(token);
  }

  /** The token with this hash: from this isolate's cache while fresh, else one read. */
  private async lookup(hash: string): Promise<ApiTokenWithOwner | undefined> {
    const { credentials, tokens, metrics } = this.deps;
    const cached = credentials.apiToken(hash);
    if (cached) {
      metrics.increment("tokens_api_token_lookups_total", { source: "cache" });
      return cached;
    }
    metrics.increment("tokens_api_token_lookups_total", { source: "database" });
    const token = await tokens.findByHash(hash);
    // Only what may authenticate is kept: a dead token is read again (and refused) every time.
    if (token) credentials.keepApiToken(hash, token);
    return token;
  }

  private fromAllowedAddress(allowedIps: string[]): boolean {
    const address = this.deps.client.ip === null ? undefined : parseIpAddress(this.deps.client.ip);
    if (!address) return false;
    const cidrs = allowedIps.flatMap((text) => {
      const parsed = parseCidr(text);
      return parsed.ok ? [parsed.cidr] : [];
    });
    return ipInCidrs(address, cidrs);
  }

  /** `last_used_at` after the response, at most once a minute per token (and per isolate). */
  private recordUse(token: ApiTokenWithOwner, now: Date): void {
    const { throttle, background, tokens } = this.deps;
    if (!throttle.take(`used:${token.id}`, now.getTime(), LAST_USED_INTERVAL_MS)) return;
    background.defer("api token last use", () => tokens.touchLastUsed(token.id, now, LAST_USED_INTERVAL_MS));
  }

  /**
   * An audit row for a refusal of a token that exists (its owner should hear of a revoked token
   * still in use), at most once a minute per token and reason per isolate, so a client retrying
   * a dead token in a loop cannot fill the audit log. Unknown and malformed tokens are counted in
   * metrics only: they name no owner, and anyone can send them by the million.
   */
  private async auditFailure(token: ApiTokenWithOwner, reason: Failure, now: Date): Promise<void> {
    if (!this.deps.throttle.take(`failed:${token.id}:${reason}`, now.getTime(), FAILURE_AUDIT_INTERVAL_MS)) {
      return;
    }
    await this.deps.audit.record({
      event: "api_token.authenticate",
      result: "failure",
      reason,
      targetType: "api_token",
      targetId: token.id,
      metadata: { ownerId: token.userId },
    });
  }

  private refuse(reason: Failure): AppError {
    this.deps.metrics.increment("tokens_api_token_auth_failures_total", { reason });
    return new AppError("INVALID_TOKEN");
  }
}

/** Why a token found in storage may not authenticate, or undefined when it may. */
function deadReason(token: ApiTokenWithOwner, at: Date): Failure | undefined {
  if (token.revokedAt !== null) return "revoked";
  if (!isApiTokenActive(token, at)) return "expired";
  if (token.owner.status !== "active") return "owner_disabled";
  return undefined;
}

/** The owner, as the token may act for them now. */
function principalOf(token: ApiTokenWithOwner): Principal {
  const role = token.owner.role;
  return {
    kind: "apiToken",
    userId: token.userId,
    role,
    scopes: scopesUpTo(narrowerScope(token.scope, maxScopeOf(role))),
    // A name since removed from the catalogue grants nothing.
    ...(token.permissions ? { permissions: token.permissions.filter(isPermission) } : {}),
    apiTokenId: token.id,
    ...(token.rateLimit ? { rateLimit: parseRateLimit(token.rateLimit) } : {}),
  };
}
