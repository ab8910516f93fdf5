import { AppError } from "../../platform/errors";
import type { Shared } from "../../shared";
import type { RateLimitDecision } from "./limiter";
import { type PolicyDefinition, RATE_LIMIT_POLICIES, type RateLimitPolicyName } from "./policies";

/** What `enforceRateLimit` needs. */
export type EnforceDeps = Pick<Shared, "config" | "rateLimiter" | "metrics" | "logger">;

/**
 * Spends one request of `policy`'s budget for `subject` from a service (where the `rateLimit()`
 * middleware cannot see the subject: a user id, a form field), with the middleware's rules: a
 * policy switched `off` does nothing, a refusal is a 429 problem with `Retry-After` counted in
 * `tokens_rate_limited_total`, and a limiter that cannot be reached lets the request through (logged
 * and counted), or refuses it with a 503 for a `failClosed` policy. Returns the decision, or undefined when nothing was checked.
 *
 * @example await enforceRateLimit(shared, "two_factor_code_send", `user:${user.id}`, "Too many codes");
 */
export async function enforceRateLimit(
  deps: EnforceDeps,
  policy: RateLimitPolicyName,
  subject: string,
  refusal = "Too many requests",
): Promise<RateLimitDecision | undefined> {
  const setting = deps.config.rateLimits[policy];
  if (!setting) return undefined;
  let decision: RateLimitDecision;
  try {
    decision = await deps.rateLimiter.check(policy, subject, setting);
  } catch (error) {
    const definition: PolicyDefinition = RATE_LIMIT_POLICIES[policy];
    if (definition.failClosed) {
      deps.logger.error("rate limiter unavailable; credential request refused", { policy, error });
      deps.metrics.increment("tokens_rate_limiter_errors_total", { policy, outcome: "refused" });
      throw new AppError("DEPENDENCY_UNAVAILABLE", "This is briefly unavailable; retry shortly", {
        headers: { "retry-after": "10" },
      });
    }
    deps.logger.error("rate limiter unavailable; request let through", { policy, error });
    deps.metrics.increment("tokens_rate_limiter_errors_total", { policy, outcome: "allowed" });
    return undefined;
  }
  if (decision.allowed) return decision;
  deps.metrics.increment("tokens_rate_limited_total", { route: RATE_LIMIT_POLICIES[policy].route, policy });
  const retryAfter = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
  throw new AppError("RATE_LIMITED", `${refusal}; retry in ${retryAfter} s`, {
    headers: { "retry-after": String(retryAfter) },
  });
}
