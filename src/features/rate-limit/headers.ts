import type { RateLimitDecision } from "./limiter";
import type { RateLimitPolicyName, RateLimitSetting } from "./policies";

/**
 * `RateLimit-Policy` and `RateLimit` items of one policy (draft-ietf-httpapi-ratelimit-headers-10):
 * `"login_ip";q=30;w=60` and `"login_ip";r=29;t=2` (r: requests left, t: seconds until the full
 * budget is back).
 */
export function rateLimitHeaders(
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

/** Whole seconds a refused client should wait (`Retry-After`), at least 1. */
export function retryAfterSeconds(decision: RateLimitDecision): number {
  return Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
}
