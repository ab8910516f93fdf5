import type { Role, UserStatus } from "../users/user";

/**
 * Token scopes, narrowest first (seed 001): `read` → safe methods only, `write` → also changes,
 * `admin` → admin operations too (only while the owner holds admin or root).
 */
export const API_TOKEN_SCOPES = ["read", "write", "admin"] as const;
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number];

/** Why a token stopped working (stored in `revoked_reason`); `revoked_by` says who, when someone did. */
export type ApiTokenRevocationReason = "revoked" | "leaked";

/**
 * A stored API token. The hash of the secret is written once and never read back: lookups take the
 * hash from the caller, and nothing that lists or shows a token can leak it.
 */
export interface ApiToken {
  id: string;
  userId: string;
  nome: string;
  descricao: string | null;
  scope: ApiTokenScope;
  /** Named operations (e.g. `invites:read`) the token is narrowed to; null: all its scope allows. */
  permissions: string[] | null;
  /** CIDRs (IPv4 or IPv6) the token may be used from; null: anywhere. */
  allowedIps: string[] | null;
  /** This token's own limit as `<requests>/<period>`, e.g. `100/60s`; null: none of its own. */
  rateLimit: string | null;
  /** The prefix and the first random characters, e.g. `eat_xK9mP2`, to tell tokens apart. */
  tokenStart: string;
  createdAt: Date;
  /** Null: never expires. */
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  /** The user who revoked it; null while live, and for a leak report (nobody signed in). */
  revokedBy: string | null;
  revokedReason: ApiTokenRevocationReason | null;
}

/** What creating a token stores: its description and `hashSecret(token)`, never the token. */
export type NewApiToken = Omit<ApiToken, "lastUsedAt" | "revokedAt" | "revokedBy" | "revokedReason"> & {
  tokenHash: string;
};

/**
 * A token found by its hash, with its owner's role and status as they are now: a token's rights
 * never exceed its owner's current role, and a disabled owner's tokens stop at once.
 */
export interface ApiTokenWithOwner extends ApiToken {
  owner: { role: Role; status: UserStatus };
}

/** True while the token may authenticate by itself: not revoked and not expired at `at`. */
export function isApiTokenActive(token: ApiToken, at: Date): boolean {
  return token.revokedAt === null && (token.expiresAt === null || token.expiresAt > at);
}
