import type { JwtService } from "../../../platform/jwt";
import { hashSecret } from "../../../platform/secrets";
import type { Role, User } from "../../users/user";

/** The claims of an access token (seed 002's, plus two); `iss`, `aud`, `iat`, `exp` are added when signing. */
export interface UserClaims {
  [claim: string]: unknown;
  sub: string;
  user_id: string;
  /** The user's display name ("Nome completo" in seed 002), not the username. */
  user_name: string;
  email: string;
  /**
   * OIDC's claim: whether the user proved they own `email`. An app must not trust an unverified
   * address (for account linking, say): anyone can register with someone else's.
   */
  email_verified: boolean;
  /** The global role as a one-element list: the seed's claim is a list, the service has one role per user. */
  roles: Role[];
  /** Slugs of the user's tenants, sorted (seed 002's claim name). */
  institutions: string[];
  /** The user's token epoch when issued: a later cut-off (reset, logout everywhere) refuses the token. */
  token_epoch: number;
}

/** A signed refresh token and what is stored about it. */
export interface SignedRefreshToken {
  token: string;
  tokenHash: string;
  issuedAt: Date;
  expiresAt: Date;
}

/** The response of register, login and refresh. */
export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: "Bearer";
  expiresIn: number;
  refreshExpiresIn: number;
}

/**
 * Builds the claims of a user and signs access and refresh tokens with them. A refresh token is
 * built the same way every time (fixed claims and key order), so it can be reproduced exactly from
 * its stored `iat`/`exp` — which is how a retry inside the grace window gets the same child back.
 */
export class TokenIssuer {
  constructor(
    private readonly jwt: JwtService,
    /** Seconds: access token, refresh token (the idle timeout) and a session's absolute lifetime. */
    private readonly ttl: { access: number; refresh: number; sessionMax: number },
  ) {}

  /** The claims of `user` whose tenant slugs were read already (`institutions`, sorted). */
  claimsFrom(user: User, institutions: string[]): UserClaims {
    return {
      sub: user.id,
      user_id: user.id,
      user_name: user.name,
      email: user.email,
      email_verified: user.emailVerifiedAt !== null,
      roles: [user.role],
      institutions,
      token_epoch: user.tokenEpoch,
    };
  }

  accessToken(claims: UserClaims): Promise<string> {
    return this.jwt.sign("access", claims, this.ttl.access);
  }

  /**
   * Signs refresh token `id`, issued at `issuedAt` (the record's `created_at`) in a session that
   * began at `sessionStartedAt`. It expires after the refresh TTL (the idle timeout: a session
   * unused that long ends) but never after the session's absolute lifetime; `expiresAt` is given
   * when reproducing a stored token. It carries only what rotation reads (`sub`, `token_epoch`,
   * `auth_time`, `jti`): no profile claim an app could mistake it for an access token by, nothing
   * that changes when the profile does.
   */
  async refreshToken(
    claims: Pick<UserClaims, "sub" | "token_epoch">,
    token: { id: string; issuedAt: Date; sessionStartedAt: Date; expiresAt?: Date },
  ): Promise<SignedRefreshToken> {
    const iat = Math.floor(token.issuedAt.getTime() / 1000);
    const authTime = Math.floor(token.sessionStartedAt.getTime() / 1000);
    const exp = token.expiresAt
      ? Math.round(token.expiresAt.getTime() / 1000)
      : Math.min(iat + this.ttl.refresh, authTime + this.ttl.sessionMax);
    const refreshClaims = {
      sub: claims.sub,
      token_epoch: claims.token_epoch,
      auth_time: authTime,
      jti: token.id,
    };
    const signed = await this.jwt.sign("refresh", refreshClaims, exp - iat, iat);
    return {
      token: signed,
      tokenHash: await hashSecret(signed),
      issuedAt: token.issuedAt,
      expiresAt: new Date(exp * 1000),
    };
  }

  pair(accessToken: string, refresh: SignedRefreshToken): TokenPair {
    return {
      accessToken,
      refreshToken: refresh.token,
      tokenType: "Bearer",
      expiresIn: this.ttl.access,
      refreshExpiresIn:
        Math.round(refresh.expiresAt.getTime() / 1000) - Math.floor(refresh.issuedAt.getTime() / 1000),
    };
  }
}
