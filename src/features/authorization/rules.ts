import { PERMISSIONS, type Permission, type PermissionRule } from "./permissions";
import { type Principal, roleAtLeast } from "./principal";

/**
 * Why `principal` may not do `permission`, or undefined when it may: a tenant access token only
 * for the operations open to tenant tokens, then the role (a token's
 * rights never exceed its owner's current role), then, for API tokens, whether the operation is
 * open to tokens at all, the token's scope, and its `permissions` list when it has one.
 */
export function refusalOf(
  principal: Principal,
  permission: Permission,
  rule: PermissionRule = PERMISSIONS[permission],
): string | undefined {
  if (principal.kind === "tenant" && rule.tenantTokens !== true) {
    return "A tenant access token works only on its own tenant's routes";
  }
  if (!roleAtLeast(principal.role, rule.role)) return `This needs the ${rule.role} role or above`;
  if (principal.kind !== "apiToken") return undefined;
  if (rule.apiTokens === false) return "API tokens cannot do this; sign in instead";
  if (!principal.scopes.includes(rule.scope)) return `This API token lacks the ${rule.scope} scope`;
  if (principal.permissions && !principal.permissions.includes(permission)) {
    return `This API token is not allowed ${permission}`;
  }
  return undefined;
}

/**
 * True when `principal` may do `permission`: for the checks a service makes beyond its route's
 * own (`api-tokens:revoke-any` when the token to revoke is someone else's).
 */
export function allows(principal: Principal, permission: Permission): boolean {
  return refusalOf(principal, permission) === undefined;
}
