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
  "two_factor:read": {
    role: "usuario",
    scope: "read",
    description: "Read one's own two-factor status (on or off, method, recovery codes left)",
  },
  // Turning a second factor on or off is a sign-in matter: never from an API token.
  "two_factor:manage": {
    role: "usuario",
    scope: "write",
    apiTokens: false,
    description: "Set up, enable and disable one's own two-factor; replace one's recovery codes",
  },
  "two_factor_codes:send": {
    role: "usuario",
    scope: "write",
    description: "Have a temporary code e-mailed to oneself (POST /tokens/gerar-codigo/)",
  },
  "two_factor_codes:send_for_user": {
    role: "admin",
    scope: "admin",
    description: "Have a temporary code e-mailed to another user, to help them (seed 000)",
  },
  "two_factor_codes:validate": {
    role: "usuario",
    scope: "write",
    description: "Confirm one's own temporary code (POST /tokens/validar-codigo/)",
  },
  "two_factor_codes:validate_for_user": {
    role: "admin",
    scope: "admin",
    description: "Confirm a code another user reads back (a help desk checking who is calling)",
  },
} as const satisfies Record<string, PermissionRule>;

export type Permission = keyof typeof PERMISSIONS;

/** Every permission name, for validating a token's `permissions`. */
export const PERMISSION_NAMES = Object.keys(PERMISSIONS) as [Permission, ...Permission[]];
