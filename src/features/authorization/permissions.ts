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
  "invites:read": {
    role: "gestor",
    scope: "read",
    description: "List invites and read an invite's history (one's own tenants; root: every tenant)",
  },
  "invites:create": {
    role: "gestor",
    scope: "write",
    description: "Create invites to profiles at or below one's role, into one's own tenants (root: any)",
  },
  "invites:use": { role: "usuario", scope: "write", description: "Use an invite's code to join its tenant" },
  "invites:revoke": {
    role: "gestor",
    scope: "write",
    description: "Revoke invites one can see (a gestor only those they created)",
  },
  "audit:read": {
    role: "admin",
    scope: "admin",
    description: "Read the audit log (admin: rows of one's own tenants; root: every row)",
  },
  "audit:verify": { role: "admin", scope: "admin", description: "Seal and check the audit log's hash chain" },
  "webhooks:read": { role: "admin", scope: "admin", description: "Read the webhook delivery log" },
  "webhooks:redeliver": { role: "admin", scope: "admin", description: "Queue a failed webhook event again" },
} as const satisfies Record<string, PermissionRule>;

export type Permission = keyof typeof PERMISSIONS;

/** Every permission name, for validating a token's `permissions`. */
export const PERMISSION_NAMES = Object.keys(PERMISSIONS) as [Permission, ...Permission[]];
