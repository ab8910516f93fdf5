import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../../http/hono-env";
import { AppError } from "../../platform/errors";
import type { Principal } from "../authorization/principal";
import { routeTemplate } from "../metrics/http-metrics";
import { clientAddress, normaliseIdentifier } from "./client-key";
import type { RateLimitDecision } from "./limiter";
import {
  type PolicyDefinition,
  RATE_LIMIT_POLICIES,
  type RateLimitKey,
  type RateLimitPolicyName,
  type RateLimitSetting,
} from "./policies";

export { byBodyField, byBodyFieldAndClientIp, byClientIp, byUser } from "./policies";

/** How long a credential request refused for an unreachable limiter is told to wait. */
const FAIL_CLOSED_RETRY_AFTER_SECONDS = 10;

/**
 * Applies a policy of `RATE_LIMIT_POLICIES` to a route: one Durable Object check per request, keyed
 * on the client IP or a normalised body field. Allowed responses carry the policy's state; refused
 * ones are a 429 problem with `Retry-After`. Headers follow draft-ietf-httpapi-ratelimit-headers-10:
 * `RateLimit-Policy: "login_ip";q=30;w=60` and `RateLimit: "login_ip";r=29;t=2` (r: requests left,
 * t: seconds until the full budget is back); with several policies on a route, each adds its item.
 * A policy whose var is `off` does nothing. A limiter that cannot be reached lets the request
 * through rather than take the route down, except on credential routes (`failClosed` policies),
 * which answer 503 with `Retry-After`; both are logged and counted in
 * `tokens_rate_limiter_errors_total{policy,outcome}`.
 *
 * Body keys read the JSON body the global `jsonBody` middleware already parsed; a request without
 * that field is not counted by that policy (it fails validation next, and the IP policy still counts).
 * A policy that `counts: "failures"` charges every request up front and refunds, after the
 * response, those the route did not refuse with 401: only failed credentials use up its budget.
 *
 * @example
 * export const loginRoute = createRoute({
 *   method: "post", path: "/auth/login",
 *   middleware: [rateLimit("login_ip"), rateLimit("login_identifier")] as const,
 *   responses: { 200: …, ...problemResponses(400, 401, 429) },
 * });
 * // another key than the policy's default:
 * rateLimit("password_reset_identifier", { key: byBodyField("username") })
 */
export function rateLimit(policy: RateLimitPolicyName, options: { key?: RateLimitKey } = {}) {
  const definition: PolicyDefinition = RATE_LIMIT_POLICIES[policy];
  const key: RateLimitKey = options.key ?? definition.key;
  return createMiddleware<AppEnv>(async (c, next) => {
    const services = c.get("services");
    const setting = services.config.rateLimits[policy];
    const subject = setting ? await subjectOf(c, key) : undefined;
    if (!setting || subject === undefined) return next();
    let decision: RateLimitDecision;
    try {
      decision = await services.rateLimiter.check(policy, subject, setting);
    } catch (error) {
      if (definition.failClosed) {
        services.logger.error("rate limiter unavailable; credential request refused", { policy, error });
        services.metrics.increment("tokens_rate_limiter_errors_total", { policy, outcome: "refused" });
        throw new AppError("DEPENDENCY_UNAVAILABLE", "This is briefly unavailable; retry shortly", {
          headers: { "retry-after": String(FAIL_CLOSED_RETRY_AFTER_SECONDS) },
        });
      }
      services.logger.error("rate limiter unavailable; request let through", { policy, error });
      services.metrics.increment("tokens_rate_limiter_errors_total", { policy, outcome: "allowed" });
      return next();
    }
    const headers = rateLimitHeaders(policy, setting, decision);
    if (!decision.allowed) {
      services.metrics.increment("tokens_rate_limited_total", { route: routeTemplate(c), policy });
      const retryAfter = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
      throw new AppError("RATE_LIMITED", `Too many requests; retry in ${retryAfter} s`, {
        headers: { ...headers, "retry-after": String(retryAfter) },
      });
    }
    await next();
    for (const [name, value] of Object.entries(headers)) c.header(name, value, { append: true });
    if (definition.counts === "failures" && c.res.status !== 401) {
      // Not a refused credential: the unit goes back, after the response (never delays a login).
      services.background.defer(`rate-limit refund (${policy})`, () =>
        services.rateLimiter.refund(policy, subject, setting),
      );
    }
  });
}

/** The subject a policy counts, prefixed with its kind; undefined when the request has none. */
async function subjectOf(c: Context<AppEnv>, key: RateLimitKey): Promise<string | undefined> {
  if (key.kind === "user") {
    const { principal } = c.var as { principal?: Principal };
    return principal ? `user:${principal.userId}` : undefined;
  }
  const ip = `ip:${clientAddress(c.req.raw.headers)}`;
  if (key.kind === "ip") return ip;
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    return undefined;
  }
  const value =
    body !== null && typeof body === "object" ? (body as Record<string, unknown>)[key.field] : undefined;
  const identifier = typeof value === "string" ? normaliseIdentifier(value) : "";
  if (!identifier) return undefined;
  return key.kind === "bodyAndIp" ? `${key.field}:${identifier}|${ip}` : `${key.field}:${identifier}`;
}

/** `RateLimit-Policy` and `RateLimit` items of one policy (draft-ietf-httpapi-ratelimit-headers-10). */
function rateLimitHeaders(
  policy: RateLimitPolicyName,
  setting: NonNullable<RateLimitSetting>,
  decision: RateLimitDecision,
): Record<string, string> {
  const window = Math.ceil(setting.periodMs / 1000);
  const reset = Math.ceil(decision.resetAfterMs / 1000);
  return {
    "ratelimit-policy": `"${policy}";q=${setting.limit};w=${window}`,
    ratelimit: `"${policy}";r=${decision.remaining};t=${reset}`,
  };
}
