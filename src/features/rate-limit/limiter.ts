import type { RateLimitDecision, RateLimiter } from "../../durable-objects/rate-limiter";
import type { Clock } from "../../platform/clock";
import { hashSecret } from "../../platform/secrets";
import type { RateLimitPolicyName, RateLimitSetting } from "./policies";

export type { RateLimitDecision } from "../../durable-objects/rate-limiter";

/** Checks (and consumes) one request of a policy's budget for a subject, or gives one back. */
export interface RateLimiterClient {
  check(
    policy: RateLimitPolicyName,
    subject: string,
    setting: NonNullable<RateLimitSetting>,
  ): Promise<RateLimitDecision>;
  /** Returns the unit an allowed `check` took (policies that count only failures). */
  refund(policy: RateLimitPolicyName, subject: string, setting: NonNullable<RateLimitSetting>): Promise<void>;
}

/**
 * The RateLimiter Durable Objects: one object per policy and subject. The subject is hashed into
 * the object's name, so no IP or e-mail address ends up in a Durable Object name.
 */
export function durableRateLimiter(
  namespace: DurableObjectNamespace<RateLimiter>,
  clock: Clock,
): RateLimiterClient {
  const stub = async (policy: RateLimitPolicyName, subject: string) =>
    namespace.getByName(`${policy}:${await hashSecret(subject)}`);
  return {
    async check(policy, subject, setting) {
      return (await stub(policy, subject)).check(setting.limit, setting.periodMs, clock.now().getTime());
    },
    async refund(policy, subject, setting) {
      await (await stub(policy, subject)).refund(setting.limit, setting.periodMs, clock.now().getTime());
    },
  };
}
