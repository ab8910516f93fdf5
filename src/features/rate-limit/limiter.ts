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
  /**
   * What `check` would answer now, consuming nothing: for limits that count failures only, asked
   * before the attempt (refuse while over budget), with `check` after each failure.
   */
  peek(
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
  const objectFor = async (policy: RateLimitPolicyName, subject: string) =>
    namespace.getByName(`${policy}:${await hashSecret(subject)}`);
  return {
    async check(policy, subject, setting) {
      return (await objectFor(policy, subject)).check(setting.limit, setting.periodMs, clock.now().getTime());
    },
    async peek(policy, subject, setting) {
      return (await objectFor(policy, subject)).peek(setting.limit, setting.periodMs, clock.now().getTime());
    },
  };
}
