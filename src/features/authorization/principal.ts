import type { TenantRole } from "../tenants/repository";
import type { Role, User } from "../users/user";
import type { Permission } from "./permissions";

/** What a credential may do: `read` (safe methods), `write` (changes), `admin` (admin operations). */
export const SCOPES = ["read", "write", "admin"] as const;
export type Scope = (typeof SCOPES)[number];

/**
 * Who is calling, as the `authenticate()` middleware establishes it from the bearer credential and
 * every authorization decision reads it (`c.var.principal`).
 */
export interface Principal {
  /**
   * An access JWT of a signed-in user, an API token acting for its owner, or a tenant access token
   * (`typ: tenant+jwt`) of an agent signed in to one tenant.
   */
  kind: "user" | "apiToken" | "tenant";
  userId: string;
  /** Set when the credential is bound to one tenant (tenant sessions): it works there only. */
  tenantId?: string;
  /** The bound tenant's slug (tenant access tokens). */
  tenantSlug?: string;
  /** The agent's current role in the bound tenant, read when the token was checked. */
  tenantRole?: TenantRole;
  /** The tenant session behind a tenant access token (its `sid`). */
  tenantSessionId?: string;
  /** The user's current global role. */
  role: Role;
  /**
   * What this credential may do; a signed-in user's access token holds every scope, an API token
   * its own scope and those below it (`write` includes `read`).
   */
  scopes: readonly Scope[];
  /** When set (API tokens created with `permissions`), only these named operations are allowed. */
  permissions?: readonly Permission[];
  /** The API token's id, when the credential is one (audit rows name it as the means). */
  apiTokenId?: string;
  /**
   * The API token's own request budget (`rate_limit`), which `authenticate()` enforces within the
   * operator's `RATE_LIMIT_API_TOKEN` (it narrows that limit, never lifts it).
   */
  rateLimit?: { limit: number; periodMs: number };
  /** The user record, when checking the credential already read it (saves a second read). */
  user?: User;
}

/** Global roles from the least to the most powerful; a role holds every right of those before it. */
const ROLE_RANK: Record<Role, number> = { usuario: 0, gestor: 1, admin: 2, root: 3 };

/** True when `role` is `minimum` or above it (root > admin > gestor > usuario). */
export function roleAtLeast(role: Role, minimum: Role): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[minimum];
}

/** A scope and every scope below it: `write` → [read, write]. */
export function scopesUpTo(scope: Scope): Scope[] {
  return SCOPES.slice(0, SCOPES.indexOf(scope) + 1);
}

/**
 * The widest scope a role may hold (seed 001): `admin` for admin and root, `write` for everyone
 * else. Nobody creates a token above it, and a token never acts above its owner's current ceiling.
 */
export function maxScopeOf(role: Role): Scope {
  return roleAtLeast(role, "admin") ? "admin" : "write";
}

/** The narrower of two scopes. */
export function narrowerScope(a: Scope, b: Scope): Scope {
  return SCOPES.indexOf(a) <= SCOPES.indexOf(b) ? a : b;
}
