import { UniqueViolation } from "../../db/errors";
import { AppError } from "../../platform/errors";
import { newId } from "../../platform/ids";
import { hashSecret } from "../../platform/secrets";
import type { Shared } from "../../shared";
import type { Permission } from "../authorization/permissions";
import { maxScopeOf, type Principal, scopesUpTo } from "../authorization/principal";
import { allows } from "../authorization/rules";
import type { ApiToken, ApiTokenScope } from "./api-token";
import type { ApiTokenRepository } from "./repository";
import { generateApiToken } from "./token-format";
import { type ApiTokenView, apiTokenView } from "./view";

/** Seed 003: a fresh token is drawn at most this many times when its hash is already taken. */
export const MAX_GENERATION_ATTEMPTS = 10;

/** What a user asks for when creating a token, already validated and normalised by the route. */
export interface ApiTokenRequest {
  nome: string;
  descricao?: string | null;
  scope: ApiTokenScope;
  expiresAt?: Date | null;
  permissions?: Permission[] | null;
  /** Canonical CIDRs. */
  allowedIps?: string[] | null;
  /** Canonical `<requests>/<seconds>s`. */
  rateLimit?: string | null;
}

/** The creation response: the token, shown this once, and its description. */
export type CreatedApiToken = ApiTokenView & { message: string; token: string };

/** One page of a user's tokens. */
export interface ApiTokenListPage {
  tokens: ApiTokenView[];
  next_cursor: string | null;
}

export type ApiTokenServiceDeps = Pick<
  Shared,
  "clock" | "random" | "users" | "audit" | "metrics" | "email" | "background" | "logger" | "credentials"
> & {
  tokens: ApiTokenRepository;
};

/**
 * API tokens: create (a scope up to the creator's role), list, revoke, and the leak report. The
 * routes have already checked the operation itself (`authorize`); this service holds the rules that
 * depend on whose token it is and what is asked for.
 */
export class ApiTokenService {
  constructor(private readonly deps: ApiTokenServiceDeps) {}

  /**
   * Creates a token for the principal. Uniqueness is the unique index on the hash: a collision
   * rejects the insert and a new token is drawn, at most `MAX_GENERATION_ATTEMPTS` times (seed 003),
   * never a read before the write.
   */
  async create(principal: Principal, request: ApiTokenRequest): Promise<CreatedApiToken> {
    const { tokens, clock, random, audit, metrics, logger } = this.deps;
    const now = clock.now();
    if (!scopesUpTo(maxScopeOf(principal.role)).includes(request.scope)) {
      await audit.record({
        event: "api_token.create",
        result: "failure",
        reason: "scope_above_role",
        actorId: principal.userId,
        targetType: "user",
        targetId: principal.userId,
        metadata: { scope: request.scope, role: principal.role },
      });
      throw new AppError(
        "FORBIDDEN",
        `A ${principal.role} cannot create a token with the ${request.scope} scope`,
      );
    }
    if (request.expiresAt && request.expiresAt <= now) {
      throw new AppError("VALIDATION_FAILED", "One or more fields are invalid", {
        errors: [{ field: "body.expires_at", message: "must be in the future" }],
      });
    }
    for (let attempt = 1; attempt <= MAX_GENERATION_ATTEMPTS; attempt++) {
      const generated = await generateApiToken(random);
      const stored = await tokens
        .insert({
          id: newId("apiToken", clock, random),
          userId: principal.userId,
          nome: request.nome,
          descricao: request.descricao ?? null,
          scope: request.scope,
          permissions: request.permissions ?? null,
          allowedIps: request.allowedIps ?? null,
          rateLimit: request.rateLimit ?? null,
          tokenHash: generated.hash,
          tokenStart: generated.start,
          createdAt: now,
          expiresAt: request.expiresAt ?? null,
        })
        .catch((error: unknown) => {
          if (!(error instanceof UniqueViolation)) throw error;
          logger.warn("API token collided with a stored one; drawing another", { attempt });
          return undefined;
        });
      if (!stored) continue;
      metrics.increment("tokens_api_tokens_created_total", { scope: stored.scope });
      await audit.record({
        event: "api_token.create",
        result: "success",
        actorId: principal.userId,
        targetType: "api_token",
        targetId: stored.id,
        metadata: { ...describe(stored), attempts: attempt },
      });
      return {
        message: "API token created. Copy it now: it is shown only once.",
        token: generated.token,
        ...apiTokenView(stored, now),
      };
    }
    throw new AppError("INTERNAL", "Could not generate a unique API token");
  }

  /**
   * The principal's tokens, newest first, revoked and expired ones included (with their status);
   * another user's only for those allowed `api-tokens:read-any` (403 otherwise).
   */
  async list(
    principal: Principal,
    options: { userId?: string; cursor?: string; limit: number },
  ): Promise<ApiTokenListPage> {
    const userId = options.userId ?? principal.userId;
    if (userId !== principal.userId && !allows(principal, "api-tokens:read-any")) {
      throw new AppError("FORBIDDEN", "Only admin and root list other users' API tokens");
    }
    const page = await this.deps.tokens.list({ userId, cursor: options.cursor, limit: options.limit });
    const now = this.deps.clock.now();
    return { tokens: page.tokens.map((token) => apiTokenView(token, now)), next_cursor: page.nextCursor };
  }

  /** Every user's tokens, newest first, for those allowed `api-tokens:read-any` (403 otherwise). */
  async listAll(
    principal: Principal,
    options: { cursor?: string; limit: number },
  ): Promise<ApiTokenListPage> {
    if (!allows(principal, "api-tokens:read-any")) {
      throw new AppError("FORBIDDEN", "Only admin and root list other users' API tokens");
    }
    const page = await this.deps.tokens.list({ cursor: options.cursor, limit: options.limit });
    const now = this.deps.clock.now();
    return { tokens: page.tokens.map((token) => apiTokenView(token, now)), next_cursor: page.nextCursor };
  }

  /**
   * Revokes a token: one's own, or anyone's with `api-tokens:revoke-any` (admin, root). Someone
   * else's token is 404 to those who may not revoke it, as if it did not exist. Revoking a revoked
   * token again changes nothing and is not an error (DELETE is idempotent).
   */
  async revoke(principal: Principal, id: string): Promise<void> {
    const { tokens, clock, credentials, audit, metrics } = this.deps;
    const onlyUserId = allows(principal, "api-tokens:revoke-any") ? undefined : principal.userId;
    const revoked = await tokens.revoke(id, {
      by: principal.userId,
      reason: "revoked",
      at: clock.now(),
      onlyUserId,
    });
    if (!revoked) {
      const existing = await tokens.findById(id);
      if (!existing || (onlyUserId !== undefined && existing.userId !== onlyUserId)) {
        throw new AppError("NOT_FOUND", "No such API token");
      }
      return;
    }
    credentials.forgetApiToken(id);
    metrics.increment("tokens_api_tokens_revoked_total", { reason: "revoked" });
    await audit.record({
      event: "api_token.revoke",
      result: "success",
      reason: "revoked",
      actorId: principal.userId,
      targetType: "api_token",
      targetId: id,
      metadata: describe(revoked),
    });
  }

  /**
   * A token found in the wild (public, rate limited): revoked if live, its owner e-mailed, the
   * report audited either way. The caller learns nothing: the same answer whether the token
   * existed, and the follow-up (audit, e-mail) runs after the response so the timing does not
   * tell either.
   */
  async reportLeak(token: string): Promise<void> {
    const { tokens, clock, credentials, background } = this.deps;
    const hash = await hashSecret(token);
    const revoked = await tokens.revokeByHash(hash, "leaked", clock.now());
    credentials.forgetApiTokenHash(hash);
    background.defer("leaked API token follow-up", () => this.followUpLeak(revoked));
  }

  private async followUpLeak(revoked: ApiToken | undefined): Promise<void> {
    const { users, audit, metrics, email } = this.deps;
    metrics.increment("tokens_api_token_leak_reports_total", { outcome: revoked ? "revoked" : "not_live" });
    if (!revoked) {
      await audit.record({ event: "api_token.leak_report", result: "failure", reason: "not_live" });
      return;
    }
    metrics.increment("tokens_api_tokens_revoked_total", { reason: "leaked" });
    await audit.record({
      event: "api_token.leak_report",
      result: "success",
      reason: "leaked",
      targetType: "api_token",
      targetId: revoked.id,
      metadata: describe(revoked),
    });
    const owner = await users.findById(revoked.userId);
    if (owner?.status !== "active") return;
    await email.enqueue({
      template: "api-token-leaked",
      to: owner.email,
      data: { name: owner.name, tokenName: revoked.nome, tokenStart: revoked.tokenStart },
    });
  }
}

/**
 * What audit rows keep of a token: never the token or its hash. `start` (the prefix and six
 * characters) is what lists show; the keys avoid the words the logger redacts (`token`, …).
 */
function describe(token: ApiToken): Record<string, unknown> {
  return {
    ownerId: token.userId,
    nome: token.nome,
    scope: token.scope,
    start: token.tokenStart,
    permissions: token.permissions,
    allowedIps: token.allowedIps,
    rateLimit: token.rateLimit,
    expiresAt: token.expiresAt?.toISOString() ?? null,
  };
}
