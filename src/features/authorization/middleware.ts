import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../../http/hono-env";
import { bearerToken } from "../../platform/bearer";
import { AppError } from "../../platform/errors";
import { PERMISSIONS, type Permission, type PermissionRule } from "./permissions";
import { type Principal, roleAtLeast } from "./principal";

/** The Hono environment of a route behind `authenticate()`: `c.var.principal` is set. */
export interface AuthenticatedEnv extends AppEnv {
  Variables: AppEnv["Variables"] & { principal: Principal };
}

/**
 * Requires a bearer credential and sets `c.var.principal`; 401 (with `WWW-Authenticate`) without a
 * valid one. Declared in the route next to its `security`, in `rateLimit(policy)`'s style.
 *
 * @example
 * export const meRoute = createRoute({
 *   method: "get", path: "/auth/me", security: [{ bearerAuth: [] }],
 *   middleware: [authenticate()] as const,
 *   responses: { 200: …, ...problemResponses(401) },
 * });
 */
export function authenticate() {
  return createMiddleware<AuthenticatedEnv>(async (c, next) => {
    const credential = bearerToken(c.req.header("authorization"));
    c.set("principal", await c.get("services").authentication.authenticate(credential));
    await next();
  });
}

/**
 * Checks the principal against one named operation of `PERMISSIONS`: 403 when their current global
 * role is below the operation's, or (API tokens) when the token's scope or `permissions` do not
 * cover it or the operation is closed to API tokens. Goes after `authenticate()`; every protected
 * route declares exactly one, which the permission-matrix test reads.
 *
 * @example middleware: [authenticate(), authorize("invites:create"), rateLimit("invites_create")] as const
 */
export function authorize(permission: Permission) {
  const rule: PermissionRule = PERMISSIONS[permission];
  return createMiddleware<AuthenticatedEnv>(async (c, next) => {
    const refusal = refusalOf(c.get("principal"), permission, rule);
    if (refusal) throw new AppError("FORBIDDEN", refusal);
    await next();
  });
}

/** Why `principal` may not do `permission`, or undefined when it may. */
export function refusalOf(
  principal: Principal,
  permission: Permission,
  rule: PermissionRule,
): string | undefined {
  if (!roleAtLeast(principal.role, rule.role)) return `This needs the ${rule.role} role or above`;
  if (principal.kind !== "apiToken") return undefined;
  if (rule.apiTokens === false) return "API tokens cannot do this; sign in instead";
  if (!principal.scopes.includes(rule.scope)) return `This API token lacks the ${rule.scope} scope`;
  if (principal.permissions && !principal.permissions.includes(permission)) {
    return `This API token is not allowed ${permission}`;
  }
  return undefined;
}
