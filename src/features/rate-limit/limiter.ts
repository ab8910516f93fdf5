import type { RateLimitDecision, RateLimiter } from "../../durable-objects/rate-limiter";
import type { Clock } from "../../platform/clock";
import { hashSecret } from "../../platform/secrets";
import type { RateLimitPolicyName, RateLimitSetting } from "./policies";

export type { RateLimitDecision } from "../../durable-objects/rate-limiter";

/** Checks (and consumes) one request of a policy's budget for a subject. */
export interface RateLimiterClient {
  check(
    policy: RateLimitPolicyName,
    subject: string,
    setting: NonNullable<RateLimitSetting>,
  ): Promise<RateLimitDecision>;
}

/**
 * The RateLimiter Durable Objects: one object per policy and subject. The subject is hashed into
 * the object's name, so no IP or e-mail address ends up in a Durable Object name.
 */
export function durableRateLimiter(
  namespace: DurableObjectNamespace<RateLimiter>,
  clock: Clock,
): RateLimiterClient {
  return {
    async check(policy, subject, setting) {
      const name = `${policy}:${await hashSecret(subject)}`;
      return namespace.getByName(name).check(setting.limit, setting.periodMs, clock.now().getTime());
    },
  };
}
