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
  /**
   * True for the tenant routes (`/tenants/{tenant_slug}/…`), the only operations a tenant access
   * token may do, and only on its own tenant (the service checks the slug).
   */
  tenantTokens?: true;
  /** One line for the docs and the permission-matrix test. */
  description: string;
}

/**
 * The catalogue of named operations: every protected route declares exactly one with
 * `authorize(permission)`, and an API token's optional `permissions` list narrows it to some of
 * these names (seed 003). A feature adds its operations here; the permission-matrix test drives
 * every route with every role and scope against this one table.
 *
 * Scopes follow seed 001: `read` for safe methods, `write` for changes, `admin` for operations on
 * other people's things (an admin-scope token works only while its owner holds admin or root).
 * Some names are checked inside a service rather than by a route (`…-any`: the same route does more
 * for an admin), and some are reserved for features still to come (invites, tenants): a token can
 * be narrowed to them today, and those features keep or adjust the rule when their routes land.
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
  "auth:introspect": {
    role: "admin",
    scope: "read",
    description: "Ask whether an access or refresh token is active (RFC 7662 introspection)",
  },
  "api-tokens:read": { role: "usuario", scope: "read", description: "List one's own API tokens" },
  "api-tokens:read-any": {
    role: "admin",
    scope: "read",
    description: "List another user's API tokens (checked by the list when it is given user_id)",
  },
  "api-tokens:create": {
    role: "usuario",
    scope: "write",
    apiTokens: false,
    description: "Create an API token for oneself, with a scope up to one's role",
  },
  "api-tokens:revoke": {
    role: "usuario",
    scope: "write",
    apiTokens: false,
    description: "Revoke one of one's own API tokens",
  },
  "api-tokens:revoke-any": {
    role: "admin",
    scope: "admin",
    apiTokens: false,
    description: "Revoke anyone's API token (checked by the revocation when the token is not one's own)",
  },
  "users:read": { role: "admin", scope: "read", description: "List users, with filters" },
  "users:role": {
    role: "admin",
    scope: "admin",
    description:
      "Change another user's global role, up to one's own (never one's own role, never the last root)",
  },
  "tenants:create": { role: "admin", scope: "admin", description: "Create a tenant" },
  "tenants:read": { role: "admin", scope: "read", description: "List tenants and read one's settings" },
  "tenants:update": {
    role: "admin",
    scope: "admin",
    description: "Rename a tenant, change its session timeout or MFA rule, disable or enable it",
  },
  // Any global role: the tenant role decides (gestor and above read and assign, up to their own role).
  "tenant-roles:read": {
    role: "usuario",
    scope: "read",
    tenantTokens: true,
    description:
      "List a tenant's agents and roles (tenant gestor or admin; global admin and root: any tenant)",
  },
  "tenant-roles:write": {
    role: "usuario",
    scope: "write",
    tenantTokens: true,
    description:
      "Assign or remove an agent's tenant role, never above one's own (tenant gestor or admin; global admin and root: any tenant)",
  },
  "two-factor:read": {
    role: "usuario",
    scope: "read",
    description: "Read one's own two-factor status (on or off, method, recovery codes left)",
  },
  // Turning a second factor on or off is a sign-in matter: never from an API token.
  "two-factor:manage": {
    role: "usuario",
    scope: "write",
    apiTokens: false,
    description: "Set up, enable and disable one's own two-factor; replace one's recovery codes",
  },
  "two-factor-codes:send": {
    role: "usuario",
    scope: "write",
    description: "Have a temporary code e-mailed to oneself (POST /tokens/gerar-codigo/)",
  },
  "two-factor-codes:send-for-user": {
    role: "admin",
    scope: "admin",
    description: "Have a temporary code e-mailed to another user, to help them (seed 000)",
  },
  "two-factor-codes:validate": {
    role: "usuario",
    scope: "write",
    description: "Confirm one's own temporary code (POST /tokens/validar-codigo/)",
  },
  "two-factor-codes:validate-for-user": {
    role: "admin",
    scope: "admin",
    description: "Confirm a code another user reads back (a help desk checking who is calling)",
  },
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

/** True when `name` is an operation of the catalogue. */
export function isPermission(name: string): name is Permission {
  return Object.hasOwn(PERMISSIONS, name);
}
