import type { Role } from "../users/user";
import type { Scope } from "./principal";

/** What one named operation requires. */
export interface PermissionRule {
  /** The lowest global role that may do it (root > admin > gestor > usuario). */
  role: Role;
  /** The scope an API token needs for it (`read` < `write` < `admin`); access tokens hold every scope. */
  scope: Scope;
  /** False for operations an API token may never do, whatever its scope (e.g. minting API tokens). */
  apiTokens?: false;
  /** One line for the docs and the permission-matrix test. */
  description: string;
}

/**
 * The catalogue of named operations: every protected route declares exactly one with
 * `authorize(permission)`, and an API token's optional `permissions` list narrows it to some of
 * these names (seed 003). A feature adds its operations here; the permission-matrix test drives
 * every route with every role and scope against this one table.
 */
export const PERMISSIONS = {
  "profile:read": { role: "usuario", scope: "read", description: "Read one's own profile" },
  "password:change": {
    role: "usuario",
    scope: "write",
    apiTokens: false,
    description: "Change one's own password (with the current one)",
  },
  // For protected resources (RFC 7662 §2.1): an admin, or an API token of one (scope read: it
  // changes nothing) that may be narrowed to just this permission.
  "tokens:introspect": {
    role: "admin",
    scope: "read",
    description: "Ask whether a token is active (RFC 7662 introspection)",
  },
} as const satisfies Record<string, PermissionRule>;

export type Permission = keyof typeof PERMISSIONS;

/** Every permission name, for validating a token's `permissions`. */
export const PERMISSION_NAMES = Object.keys(PERMISSIONS) as [Permission, ...Permission[]];
