import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../../http/hono-env";
import { bearerToken } from "../../platform/bearer";
import { AppError } from "../../platform/errors";
import { consumeRateLimit } from "../rate-limit/middleware";
import { type RateLimitPolicyName, type RateLimitSetting, tighterRateLimit } from "../rate-limit/policies";
import { PERMISSIONS, type Permission, type PermissionRule } from "./permissions";
import type { Principal } from "./principal";
import { refusalOf } from "./rules";

/** The Hono environment of a route behind `authenticate()`: `c.var.principal` is set. */
export interface AuthenticatedEnv extends AppEnv {
  Variables: AppEnv["Variables"] & { principal: Principal };
}

/**
 * Requires a bearer credential (an access JWT or an API token) and sets `c.var.principal`; 401
 * (with `WWW-Authenticate`) without a valid one. An API token also spends one request of its budget
 * here (`RATE_LIMIT_API_TOKEN`, narrowed by its own `rate_limit`): 429 when it is used up. Declared in the
 * route next to its `security`, in `rateLimit(policy)`'s style.
 *
 * @example
 * export const meRoute = createRoute({
 *   method: "get", path: "/auth/me", security: securityFor("profile:read"),
 *   middleware: [authenticate(), authorize("profile:read")] as const,
 *   responses: { 200: …, ...problemResponses(401, 403) },
 * });
 */
export function authenticate() {
  return createMiddleware<AuthenticatedEnv>(async (c, next) => {
    const services = c.get("services");
    const credential = bearerToken(c.req.header("authorization"));
    const principal = await services.authentication.authenticate(credential);
    c.set("principal", principal);
    const budget =
      principal.kind === "apiToken" ? apiTokenBudget(principal, services.config.rateLimits) : null;
    const headers =
      budget && principal.apiTokenId
        ? await consumeRateLimit(c, "api_token", `token:${principal.apiTokenId}`, budget)
        : {};
    await next();
    for (const [name, value] of Object.entries(headers)) c.header(name, value, { append: true });
  });
}

/**
 * An API token's request budget: the operator's `RATE_LIMIT_API_TOKEN` narrowed by the token's own
 * `rate_limit` (chosen by whoever created it, so it may tighten the operator's limit, never lift it).
 * Null when neither is set.
 */
function apiTokenBudget(principal: Principal, limits: Record<RateLimitPolicyName, RateLimitSetting>) {
  const operator = limits.api_token;
  if (!principal.rateLimit) return operator;
  return tighterRateLimit(principal.rateLimit, operator);
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
