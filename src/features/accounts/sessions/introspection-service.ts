import type { JWTPayload } from "jose";
import type { Clock } from "../../../platform/clock";
import { AppError } from "../../../platform/errors";
import type { JwtService, TokenKind } from "../../../platform/jwt";
import { hashSecret } from "../../../platform/secrets";
import type { UserRepository } from "../../users/repository";
import { isLive, type RefreshTokenRepository } from "./repository";
import { issuedBeforeCutoff } from "./service";

/** RFC 7662 §2.2: `active`, and for active tokens only the standard claims. */
export type Introspection =
  | { active: false }
  | {
      active: true;
      token_type: "access_token" | "refresh_token";
      sub: string;
      username: string;
      iss: string;
      aud: string | string[];
      iat: number;
      exp: number;
      jti?: string;
    };

const INACTIVE: Introspection = { active: false };

/**
 * Whether a token is active right now: signature, type, issuer, audience and expiry; the user
 * still active and the token not issued before their cut-off; for a refresh token, its record
 * live (not rotated, revoked or expired). Anything else is `{ active: false }`, never an error.
 */
export class IntrospectionService {
  constructor(
    private readonly jwt: JwtService,
    private readonly users: UserRepository,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly clock: Clock,
  ) {}

  async introspect(token: string): Promise<Introspection> {
    const verified = (await this.verifyAs("access", token)) ?? (await this.verifyAs("refresh", token));
    if (!verified) return INACTIVE;
    const { kind, payload } = verified;
    const user = await this.users.findById(payload.sub!);
    if (user?.status !== "active") return INACTIVE;
    if (issuedBeforeCutoff(payload, user)) return INACTIVE;
    if (kind === "refresh") {
      const record =
        typeof payload.jti === "string" ? await this.refreshTokens.findById(payload.jti) : undefined;
      if (!record || record.tokenHash !== (await hashSecret(token)) || !isLive(record, this.clock.now())) {
        return INACTIVE;
      }
    }
    return {
      active: true,
      token_type: kind === "access" ? "access_token" : "refresh_token",
      sub: user.id,
      username: user.username,
      iss: payload.iss!,
      aud: payload.aud!,
      iat: payload.iat!,
      exp: payload.exp!,
      ...(kind === "refresh" ? { jti: payload.jti } : {}),
    };
  }

  private async verifyAs(
    kind: TokenKind,
    token: string,
  ): Promise<{ kind: TokenKind; payload: JWTPayload } | null> {
    try {
      return { kind, payload: await this.jwt.verify(kind, token) };
    } catch (error) {
      if (error instanceof AppError && error.code === "INVALID_TOKEN") return null;
      throw error;
    }
  }
}
