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
 * on the client IP, a normalised body field, both, or the signed-in user (after `authenticate()`).
 * Allowed responses carry the policy's state; refused ones are a 429 problem with `Retry-After`.
 * Headers follow draft-ietf-httpapi-ratelimit-headers-10: `RateLimit-Policy: "login_ip";q=30;w=60`
 * and `RateLimit: "login_ip";r=29;t=2` (r: requests left, t: seconds until the full budget is back);
 * with several policies on a route, each adds its item. A policy whose var is `off` does nothing.
 * A limiter that cannot be reached lets the request through rather than take the route down, except
 * on credential routes (`failClosed` policies), which answer 503 with `Retry-After`; both are logged
 * and counted in `tokens_rate_limiter_errors_total{policy,outcome}`.
 *
 * Body keys read the JSON body the global `jsonBody` middleware already parsed; a request without
 * that field is not counted by that policy (it fails validation next, and the IP policy still counts).
 * A policy that `counts: "failures"` charges every request up front and refunds, after the
 * response, those the route did not refuse with 401: only failed credentials use up its budget (a
 * 401 asking for, or refusing, the second factor is not one: the password was right).
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
  if (key.kind === "apiToken") {
    throw new Error(`${policy} is keyed on the API token: authenticate() applies it, not rateLimit()`);
  }
  if (key.kind === "service") {
    throw new Error(`rateLimit(): ${policy} is checked by a service (shared.rateLimiter), not by a route`);
  }
  return createMiddleware<AppEnv>(async (c, next) => {
    const services = c.get("services");
    const setting = services.config.rateLimits[policy];
    const subject = setting ? await subjectOf(c, policy, key) : undefined;
    if (!setting || subject === undefined) return next();
    const headers = await consumeRateLimit(c, policy, subject, setting);
    await next();
    for (const [name, value] of Object.entries(headers)) c.header(name, value, { append: true });
    if (definition.counts === "failures" && !refusedCredential(c)) {
      // Not a refused credential: the unit goes back, after the response (never delays a login).
      services.background.defer(`rate-limit refund (${policy})`, () =>
        services.rateLimiter.refund(policy, subject, setting),
      );
    }
  });
}

/**
 * Codes of a 401 given after the credential was accepted: the second factor is the next step
 * (`TWO_FACTOR_REQUIRED`) or was wrong (`INVALID_TWO_FACTOR_CODE`, counted by `two_factor_user`).
 * A two-factor sign-in is two requests; the password limits must not charge its first one.
 */
const SECOND_FACTOR_STEPS = new Set(["TWO_FACTOR_REQUIRED", "INVALID_TWO_FACTOR_CODE"]);

/** Whether the route refused the credential itself: a 401, not one of the second-factor steps. */
function refusedCredential(c: Context<AppEnv>): boolean {
  if (c.res.status !== 401) return false;
  return !(c.error instanceof AppError && SECOND_FACTOR_STEPS.has(c.error.code));
}

/**
 * One check of `policy` for `subject`: throws the 429 problem when refused, and otherwise returns
 * the headers to add to the response. An unreachable limiter lets the request through without
 * headers (logged and counted), or, for a `failClosed` policy, throws a 503 with `Retry-After`. For
 * limits whose subject is known only inside another middleware, such as the API token's own limit
 * in `authenticate()`.
 */
export async function consumeRateLimit<E extends AppEnv>(
  c: Context<E>,
  policy: RateLimitPolicyName,
  subject: string,
  setting: NonNullable<RateLimitSetting>,
): Promise<Record<string, string>> {
  const services = c.get("services");
  const definition: PolicyDefinition = RATE_LIMIT_POLICIES[policy];
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
  const ip = `ip:${clientAddress(c.req.raw.headers)}`;
  if (key.kind === "ip") return ip;
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
  if (!identifier) return undefined;
  const name = key.countedAs ?? key.field;
  return key.kind === "bodyAndIp" ? `${name}:${identifier}|${ip}` : `${name}:${identifier}`;
}
