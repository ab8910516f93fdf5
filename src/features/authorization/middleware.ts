import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../../http/hono-env";
import { bearerToken } from "../../platform/bearer";
import { AppError } from "../../platform/errors";
import type { Role } from "../users/user";
import { type Principal, roleAtLeast, type Scope } from "./principal";

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

/** What a route requires of the principal: a minimum global role and/or a scope. */
export interface AccessRule {
  role?: Role;
  scope?: Scope;
}

/**
 * Refuses (403) a principal below the rule; goes after `authenticate()`.
 *
 * @example middleware: [authenticate(), authorize({ role: "admin", scope: "admin" })] as const
 */
export function authorize(rule: AccessRule) {
  return createMiddleware<AuthenticatedEnv>(async (c, next) => {
    const principal = c.get("principal");
    if (rule.role && !roleAtLeast(principal.role, rule.role)) {
      throw new AppError("FORBIDDEN", `This needs the ${rule.role} role or above`);
    }
    if (rule.scope && !principal.scopes.includes(rule.scope)) {
      throw new AppError("FORBIDDEN", `This credential lacks the ${rule.scope} scope`);
    }
    await next();
  });
}
