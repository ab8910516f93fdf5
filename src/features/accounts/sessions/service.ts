import type { JWTPayload } from "jose";
import type { Statement } from "../../../db/database";
import { AppError } from "../../../platform/errors";
import { newId } from "../../../platform/ids";
import { isExpiredTokenError, type TokenKind } from "../../../platform/jwt";
import { hashSecret } from "../../../platform/secrets";
import type { Shared } from "../../../shared";
import { roleAtLeast } from "../../authorization/principal";
import type { LabelsOf } from "../../metrics/catalog";
import { ROLES, type Role, type User } from "../../users/user";
import { isLive, type RefreshTokenRecord, type RefreshTokenRepository } from "./repository";
import type { TokenIssuer, TokenPair, UserClaims } from "./token-issuer";

export type SessionDeps = Pick<
  Shared,
  | "db"
  | "jwt"
  | "users"
  | "tenants"
  | "audit"
  | "client"
  | "clock"
  | "random"
  | "logger"
  | "metrics"
  | "credentials"
> & {
  issuer: TokenIssuer;
  refreshTokens: RefreshTokenRepository;
  /** A rotated token presented again within this many seconds gets its live child back. */
  reuseGraceSeconds: number;
};

/** Why a token was refused, as `tokens_auth_failures_total` labels it. */
type TokenFailure = Exclude<
  LabelsOf<"tokens_auth_failures_total">["reason"],
  "invalid_credentials" | "invalid_two_factor_code"
>;

/**
 * True when a token (either kind) was issued before the user's latest cut-off: its `token_epoch`
 * is not the user's. Exact whatever the clocks say, unlike comparing whole-second `iat`s with the
 * cut-off time; a token without the claim is refused.
 */
export function issuedBeforeCutoff(payload: JWTPayload, user: User): boolean {
  return payload.token_epoch !== user.tokenEpoch;
}

/**
 * Whether an access token's `roles` claim (one role, seed 001) is at or below the user's role now:
 * a demotion refuses older tokens at once, exactly; a promotion leaves them working (the role is
 * read from the user, not the token, so they act with the new one).
 */
function withinCurrentRole(payload: JWTPayload, user: User): boolean {
  const [role] = Array.isArray(payload.roles) ? payload.roles : [];
  return (ROLES as readonly unknown[]).includes(role) && roleAtLeast(user.role, role as Role);
}

/**
 * Sessions: a login starts a refresh-token family; each refresh rotates it. Presenting a rotated
 * token again within the grace window returns the child that was already issued (so a lost
 * response can be retried and concurrent refreshes agree on one chain); after the window it means
 * the token leaked, and the whole family is revoked.
 */
export class SessionService {
  constructor(private readonly deps: SessionDeps) {}

  /**
   * Starts a new session (family) for `user`: the response of register and login. One storage
   * round trip: the refresh token's row, `alongside` (the caller's audit row: it commits with the
   * session or not at all) and the read of the user's tenants for the access token, in one unit.
   */
  async start(user: User, alongside: Statement[] = []): Promise<TokenPair> {
    const { db, issuer, refreshTokens, tenants, client, clock, random } = this.deps;
    const id = newId("refreshToken", clock, random);
    const now = clock.now();
    const refresh = await issuer.refreshToken(
      { sub: user.id, token_epoch: user.tokenEpoch },
      { id, issuedAt: now, sessionStartedAt: now },
    );
    const results = await db.atomic([
      refreshTokens.insertStatement({
        id,
        userId: user.id,
        tokenHash: refresh.tokenHash,
        familyId: id,
        parentId: null,
        sessionStartedAt: now,
        expiresAt: refresh.expiresAt,
        ip: client.ip,
        userAgent: client.userAgent,
        createdAt: refresh.issuedAt,
      }),
      ...alongside,
      tenants.slugsForUserStatement(user.id),
    ]);
    const claims = issuer.claimsFrom(user, tenants.slugsFrom(results.at(-1)));
    return issuer.pair(await issuer.accessToken(claims), refresh);
  }

  /**
   * Exchanges a live refresh token for a new pair; 401 for anything else. One storage round trip
   * when it succeeds: the child is signed from the parent's own claims first, then one unit
   * retires the parent (only while its user is active and at the parent's token epoch), stores the
   * child and its audit row, and reads the user and tenants the access token needs. Anything else
   * (a retry, a reuse, a cut-off, a disabled user) is told apart from what that unit read.
   */
  async refresh(token: string): Promise<TokenPair> {
    const { db, issuer, users, tenants, refreshTokens, audit, client, clock, random } = this.deps;
    const { payload, jti, sessionStartedAt } = await this.verifyRefreshToken(token);
    const userId = payload.sub!;
    const tokenHash = await hashSecret(token);
    // A token without a numeric epoch never rotates (no user has epoch -1) and is refused below.
    const tokenEpoch = Number.isSafeInteger(payload.token_epoch) ? (payload.token_epoch as number) : -1;
    const now = clock.now();
    const childId = newId("refreshToken", clock, random);
    // Capped by the session's absolute lifetime: rotating keeps a session alive, never forever.
    const child = await issuer.refreshToken(
      { sub: userId, token_epoch: tokenEpoch },
      { id: childId, issuedAt: now, sessionStartedAt },
    );
    const childRow = {
      id: childId,
      tokenHash: child.tokenHash,
      expiresAt: child.expiresAt,
      ip: client.ip,
      userAgent: client.userAgent,
      createdAt: now,
    };
    // The success row commits with the rotation or not at all (an audit trail of sessions must not
    // miss one), and costs no round trip of its own.
    const [retired, inserted, , userRows, slugRows] = await db.atomic([
      ...refreshTokens.rotateStatements({ id: jti, tokenHash }, childRow, { tokenEpoch }),
      audit.userEventStatement(
        "auth.refresh",
        "success",
        userId,
        {},
        { onlyIf: refreshTokens.childExists(childId), metadataFrom: refreshTokens.familyMetadataOf(childId) },
      ),
      users.findByIdStatement(userId),
      tenants.slugsForUserStatement(userId),
    ]);
    const user = users.userFrom(userRows);
    if (user?.status !== "active") {
      await this.auditRefreshFailure(userId, "user_unavailable");
      throw this.refuse("invalid_token");
    }
    const claims = issuer.claimsFrom(user, tenants.slugsFrom(slugRows));
    if (refreshTokens.rotatedChild(retired, inserted))
      return issuer.pair(await issuer.accessToken(claims), child);
    // A session cut off after this token was issued. Its row is normally revoked already; not when
    // its rotation raced the cut-off on PostgreSQL (the cut-off's UPDATE never saw the new child).
    if (issuedBeforeCutoff(payload, user)) {
      await refreshTokens.revokeFamilyOf(jti, tokenHash, "cut_off", clock.now());
      await this.auditRefreshFailure(user.id, "cut_off");
      throw this.refuse("revoked_token");
    }
    return this.presentedAgain(jti, tokenHash, user, claims);
  }

  /** The token was not live: a retry inside the grace window, a reuse, or simply dead. */
  private async presentedAgain(
    jti: string,
    tokenHash: string,
    user: User,
    claims: UserClaims,
  ): Promise<TokenPair> {
    const { issuer, refreshTokens, audit, clock, reuseGraceSeconds } = this.deps;
    const now = clock.now();
    const record = await refreshTokens.findById(jti);
    if (!record || record.tokenHash !== tokenHash || record.userId !== user.id) {
      await this.auditRefreshFailure(user.id, "unknown_token");
      throw this.refuse("invalid_token");
    }
    if (record.revokedAt || !record.rotatedAt) {
      await this.auditRefreshFailure(user.id, record.revokedAt ? "revoked" : "expired", record);
      throw this.refuse(record.revokedAt ? "revoked_token" : "expired_token");
    }
    if (now.getTime() - record.rotatedAt.getTime() < reuseGraceSeconds * 1000) {
      const child = record.replacedById ? await refreshTokens.findById(record.replacedById) : undefined;
      if (child && isLive(child, now)) {
        const again = await issuer.refreshToken(claims, {
          id: child.id,
          issuedAt: child.createdAt,
          sessionStartedAt: child.sessionStartedAt,
          expiresAt: child.expiresAt,
        });
        // Equal only if nothing in the claims changed since the child was issued.
        if (again.tokenHash === child.tokenHash) {
          await audit.userEvent("auth.refresh", "success", user, {
            reason: "grace_retry",
            metadata: { familyId: record.familyId },
          });
          return issuer.pair(await issuer.accessToken(claims), again);
        }
      }
      await this.auditRefreshFailure(user.id, "rotated_within_grace", record);
      throw this.refuse("revoked_token");
    }
    await this.revokeLeakedFamily(record, user.id);
    throw this.refuse("revoked_token");
  }

  /** A retired token came back after the grace window: it leaked, so its whole family goes. */
  private async revokeLeakedFamily(record: RefreshTokenRecord, userId: string): Promise<void> {
    const { refreshTokens, audit, clock, logger, metrics } = this.deps;
    const revoked = await refreshTokens.revokeFamily(record.familyId, "reuse_detected", clock.now());
    metrics.increment("tokens_refresh_token_reuse_total");
    logger.warn("refresh token reuse detected; family revoked", {
      userId,
      familyId: record.familyId,
      revoked,
    });
    await audit.userEvent("auth.refresh.reuse_detected", "failure", userId, {
      reason: "reuse_detected",
      metadata: { familyId: record.familyId, revoked, rotatedAt: record.rotatedAt?.toISOString() },
    });
  }

  /** True when a rotated, unrevoked token is presented after the grace window: a leaked token. */
  private isReuse(record: RefreshTokenRecord, now: Date): boolean {
    return (
      record.revokedAt === null &&
      record.rotatedAt !== null &&
      now.getTime() - record.rotatedAt.getTime() >= this.deps.reuseGraceSeconds * 1000
    );
  }

  private auditRefreshFailure(userId: string, reason: string, record?: RefreshTokenRecord): Promise<void> {
    return this.deps.audit.userEvent("auth.refresh", "failure", userId, {
      reason,
      metadata: record ? { familyId: record.familyId } : {},
    });
  }

  /**
   * Ends the session of `token` (its whole family), or every session of its user with `all`,
   * which also refuses the user's access tokens issued until now. Ending one session accepts any
   * refresh token this service signed (an already-ended session is not an error); ending them all
   * needs a live one, see `logoutEverywhere`.
   */
  async logout(token: string, all: boolean): Promise<void> {
    const { refreshTokens, audit, clock } = this.deps;
    const { payload, jti } = await this.verifyRefreshToken(token);
    const userId = payload.sub!;
    const tokenHash = await hashSecret(token);
    if (all) return this.logoutEverywhere(userId, jti, tokenHash);
    const revoked = await refreshTokens.revokeFamilyOf(jti, tokenHash, "logout", clock.now());
    await audit.userEvent("auth.logout", "success", userId, {
      reason: "this_session",
      metadata: { revoked },
    });
  }

  /**
   * Signing out everywhere is only for the holder of a live session: a refresh token that was
   * rotated, revoked (by a password reset, say) or cleaned up must not end the sessions of whoever
   * holds the live ones, again and again until its `exp`. A rotated token past the grace window is
   * a reuse and revokes its family, as at refresh. The check reads before it writes: the only
   * token that can pass it and be retired before the write is one that was live an instant ago.
   */
  private async logoutEverywhere(userId: string, jti: string, tokenHash: string): Promise<void> {
    const { db, users, refreshTokens, audit, clock, credentials } = this.deps;
    const now = clock.now();
    const record = await refreshTokens.findById(jti);
    if (!record || record.tokenHash !== tokenHash || record.userId !== userId) {
      await this.auditLogoutFailure(userId, "unknown_token");
      throw this.refuse("invalid_token");
    }
    if (!isLive(record, now)) {
      if (this.isReuse(record, now)) await this.revokeLeakedFamily(record, userId);
      const reason = record.revokedAt || record.rotatedAt ? "revoked" : "expired";
      await this.auditLogoutFailure(userId, reason, record);
      throw this.refuse(reason === "revoked" ? "revoked_token" : "expired_token");
    }
    const [rows] = await db.atomic([
      refreshTokens.revokeAllForUserStatement(userId, "logout_all", now),
      users.revokeAccessTokensStatement(userId, now),
    ]);
    // This isolate forgets the user at once; others within AUTH_CACHE_SECONDS (docs/api-tokens.md).
    credentials.forgetUser(userId);
    await audit.userEvent("auth.logout", "success", userId, {
      reason: "all_sessions",
      metadata: { revoked: rows?.length ?? 0 },
    });
  }

  private auditLogoutFailure(userId: string, reason: string, record?: RefreshTokenRecord): Promise<void> {
    return this.deps.audit.userEvent("auth.logout", "failure", userId, {
      reason,
      metadata: record ? { familyId: record.familyId } : {},
    });
  }

  /**
   * The active user an access token belongs to; 401 for anything else (a refresh token included).
   * The user (status, role, cut-off) comes from this isolate's credential cache while fresh
   * (`AUTH_CACHE_SECONDS`), else from one read.
   */
  async authenticate(accessToken: string): Promise<{ user: User; payload: JWTPayload }> {
    const { users, credentials } = this.deps;
    const payload = await this.verify("access", accessToken);
    let user = credentials.user(payload.sub!);
    if (!user) {
      user = await users.findById(payload.sub!);
      if (user) credentials.keepUser(user);
    }
    if (user?.status !== "active") throw this.refuse("invalid_token");
    if (issuedBeforeCutoff(payload, user)) throw this.refuse("revoked_token");
    // Issued for a role above the user's now (a demotion since): refresh for a token of the new one.
    if (!withinCurrentRole(payload, user)) throw this.refuse("revoked_token");
    return { user, payload };
  }

  private async verifyRefreshToken(
    token: string,
  ): Promise<{ payload: JWTPayload; jti: string; sessionStartedAt: Date }> {
    const payload = await this.verify("refresh", token);
    const { jti, auth_time: authTime } = payload;
    if (typeof jti !== "string" || jti.length === 0 || !Number.isSafeInteger(authTime)) {
      throw this.refuse("invalid_token");
    }
    return { payload, jti, sessionStartedAt: new Date((authTime as number) * 1000) };
  }

  /** `jwt.verify`, with a refusal counted as expired or invalid. */
  private async verify(kind: TokenKind, token: string): Promise<JWTPayload> {
    try {
      return await this.deps.jwt.verify(kind, token);
    } catch (error) {
      if (!(error instanceof AppError && error.code === "INVALID_TOKEN")) throw error;
      this.deps.metrics.increment("tokens_auth_failures_total", {
        reason: isExpiredTokenError(error) ? "expired_token" : "invalid_token",
      });
      throw error;
    }
  }

  /**
   * The one place a token refusal of this service is decided and counted in
   * `tokens_auth_failures_total`; the client gets the same 401 whatever the reason.
   */
  private refuse(reason: TokenFailure): AppError {
    this.deps.metrics.increment("tokens_auth_failures_total", { reason });
    return new AppError("INVALID_TOKEN");
  }
}
