import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../../http/hono-env";
import { AppError } from "../../platform/errors";
import type { Principal } from "../authorization/principal";
import { routeTemplate } from "../metrics/http-metrics";
import { clientAddress, normaliseIdentifier } from "./client-key";
import { rateLimitHeaders, retryAfterSeconds } from "./headers";
import type { RateLimitDecision } from "./limiter";
import {
  RATE_LIMIT_POLICIES,
  type RateLimitKey,
  type RateLimitPolicyName,
  type RateLimitSetting,
} from "./policies";

export { byBodyField, byClientIp } from "./policies";

/**
 * Applies a policy of `RATE_LIMIT_POLICIES` to a route: one Durable Object check per request, keyed
 * on the client IP, a normalised body field or the signed-in user (after `authenticate()`). Allowed responses carry the policy's state; refused
 * ones are a 429 problem with `Retry-After`. Headers follow draft-ietf-httpapi-ratelimit-headers-10:
 * `RateLimit-Policy: "login_ip";q=30;w=60` and `RateLimit: "login_ip";r=29;t=2` (r: requests left,
 * t: seconds until the full budget is back); with several policies on a route, each adds its item.
 * A policy whose var is `off` does nothing; a limiter that cannot be reached lets the request
 * through (logged and counted in `tokens_rate_limiter_errors_total`) rather than take the route down.
 *
 * Body keys read the JSON body the global `jsonBody` middleware already parsed; a request without
 * that field is not counted by that policy (it fails validation next, and the IP policy still counts).
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
  const key: RateLimitKey = options.key ?? RATE_LIMIT_POLICIES[policy].key;
  if (key.kind === "apiToken") {
    throw new Error(`${policy} is keyed on the API token: authenticate() applies it, not rateLimit()`);
  }
  if (key.kind === "service") {
    throw new Error(`rateLimit(): ${policy} is checked by a service (shared.rateLimiter), not by a route`);
  }
  return createMiddleware<AppEnv>(async (c, next) => {
    const setting = c.get("services").config.rateLimits[policy];
    const subject = setting ? await subjectOf(c, policy, key) : undefined;
    if (!setting || subject === undefined) return next();
    const headers = await consumeRateLimit(c, policy, subject, setting);
    await next();
    for (const [name, value] of Object.entries(headers)) c.header(name, value, { append: true });
  });
}

/**
 * One check of `policy` for `subject`: throws the 429 problem when refused, and otherwise returns
 * the headers to add to the response (none when the limiter could not be reached: the request goes
 * through, logged and counted). For limits whose subject is known only inside another middleware,
 * such as the API token's own limit in `authenticate()`.
 */
export async function consumeRateLimit<E extends AppEnv>(
  c: Context<E>,
  policy: RateLimitPolicyName,
  subject: string,
  setting: NonNullable<RateLimitSetting>,
): Promise<Record<string, string>> {
  const services = c.get("services");
  let decision: RateLimitDecision;
  try {
    decision = await services.rateLimiter.check(policy, subject, setting);
  } catch (error) {
    services.logger.error("rate limiter unavailable; request let through", { policy, error });
    services.metrics.increment("tokens_rate_limiter_errors_total", { policy });
    return {};
  }
  const headers = rateLimitHeaders(policy, setting, decision);
  if (!decision.allowed) {
    services.metrics.increment("tokens_rate_limited_total", { route: routeTemplate(c), policy });
    const retryAfter = retryAfterSeconds(decision);
    throw new AppError("RATE_LIMITED", `Too many requests; retry in ${retryAfter} s`, {
      headers: { ...headers, "retry-after": String(retryAfter) },
    });
  }
  return headers;
}

/** The subject a policy counts, prefixed with its kind; undefined when the request has none. */
async function subjectOf(
  c: Context<AppEnv>,
  policy: RateLimitPolicyName,
  key: Exclude<RateLimitKey, { kind: "apiToken" } | { kind: "service" }>,
): Promise<string | undefined> {
  if (key.kind === "ip") return `ip:${clientAddress(c.req.raw.headers)}`;
  if (key.kind === "user") {
    const { principal } = c.var as { principal?: Principal };
    // A declaration mistake, not a client's: the route lacks authenticate() before this policy.
    if (!principal) throw new Error(`${policy} is keyed on the user: declare it after authenticate()`);
    return `user:${principal.userId}`;
  }
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    return undefined;
  }
  const value =
    body !== null && typeof body === "object" ? (body as Record<string, unknown>)[key.field] : undefined;
  const identifier = typeof value === "string" ? normaliseIdentifier(value) : "";
  return identifier ? `${key.field}:${identifier}` : undefined;
}
