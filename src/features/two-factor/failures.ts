import { AppError } from "../../platform/errors";
import type { Shared } from "../../shared";
import type { RateLimitDecision } from "../rate-limit/limiter";
import { RATE_LIMIT_POLICIES, type RateLimitSetting } from "../rate-limit/policies";
import type { User } from "../users/user";
import type { TwoFactorLockoutRepository } from "./lockout-repository";

/** Policy of `RATE_LIMIT_POLICIES` that counts a user's wrong second factors. */
const POLICY = "two_factor_user";

/** Which kind of code was tried. */
export type FactorMethod = "totp" | "email" | "recovery";

/**
 * Why a code was refused (the `reason` label of `tokens_two_factor_failures_total`); `wrong_password`
 * is the password that disabling two-factor also asks for.
 */
export type FailureReason = "wrong_code" | "replayed" | "no_live_code" | "wrong_password";

/** Where the code was typed: login, the 2FA routes, `/tokens/validar-codigo/`. */
export type FailureContext = "login" | "manage" | "confirmation";

/** How a failure is counted and audited. */
export interface FailureDetails {
  context: FailureContext;
  /** Who typed it when not the user (an admin confirming a user's code). */
  actorId?: string | null;
  /** The audit event; `two_factor.verify` unless the caller has its own (e.g. `two_factor_code.validate`). */
  auditEvent?: string;
  /** A finer audit reason than the metric's (e.g. `expired`, `used`). */
  auditReason?: string;
  metadata?: Record<string, unknown>;
}

/** What `TwoFactorFailures` is built from. */
export type TwoFactorFailuresDeps = Pick<
  Shared,
  "config" | "rateLimiter" | "logger" | "metrics" | "audit" | "clock"
> & {
  lockouts: TwoFactorLockoutRepository;
};

/**
 * Refused second factors, in one place: the per-user budget of wrong ones, their metric and their
 * audit row. The budget is the `two_factor_user` policy (`RATE_LIMIT_TWO_FACTOR_USER`), counted in
 * the RateLimiter Durable Object apart from the password limits, and spent only by failures:
 * `record` spends one try per refused code (TOTP, e-mailed and recovery codes share it, wherever
 * typed). When a failure leaves nothing, the user is locked out in `two_factor_lockouts` until the
 * limiter gives the next try back. The statements that use a code carry "not locked out" in their
 * condition (`notLockedOut`), so a right code costs no extra read and no Durable Object call, and a
 * locked-out user's code is never accepted; `record` then finds the lock and answers 429 with
 * `Retry-After`, right code or not. `guard` is the same check up front, for steps that compare
 * without such a statement (a pending TOTP secret, a password). A limiter that cannot be reached
 * lets attempts through, logged and counted.
 */
export class TwoFactorFailures {
  constructor(private readonly deps: TwoFactorFailuresDeps) {}

  /** Throws 429 while `user` is locked out; the refusal is counted and audited. */
  async guard(user: User, method: FactorMethod, details: FailureDetails): Promise<void> {
    const { config, lockouts, clock } = this.deps;
    if (!config.rateLimits[POLICY]) return;
    const now = clock.now();
    const until = await lockouts.lockedUntil(user.id, now);
    if (until) await this.refuseLockedOut(user, method, details, until, now);
  }

  /**
   * A refused code: 429 if `user` is locked out (then nothing is spent), otherwise spends one
   * wrong try (locking them out when it was the last), counts and audits it; the caller then
   * throws its own error.
   */
  async record(
    user: User,
    method: FactorMethod,
    reason: FailureReason,
    details: FailureDetails,
  ): Promise<void> {
    const { metrics, audit } = this.deps;
    await this.guard(user, method, details);
    await this.spend(user);
    metrics.increment("tokens_two_factor_failures_total", { method, reason });
    if (details.context === "login") {
      metrics.increment("tokens_auth_failures_total", { reason: "invalid_two_factor_code" });
    }
    await audit.userEvent(details.auditEvent ?? "two_factor.verify", "failure", user, {
      actorId: details.actorId,
      reason: details.auditReason ?? reason,
      metadata: { method, context: details.context, ...details.metadata },
    });
  }

  private async refuseLockedOut(
    user: User,
    method: FactorMethod,
    details: FailureDetails,
    until: Date,
    now: Date,
  ): Promise<never> {
    const { metrics, audit } = this.deps;
    metrics.increment("tokens_two_factor_failures_total", { method, reason: "rate_limited" });
    metrics.increment("tokens_rate_limited_total", {
      route: RATE_LIMIT_POLICIES[POLICY].route,
      policy: POLICY,
    });
    await audit.userEvent(details.auditEvent ?? "two_factor.verify", "failure", user, {
      actorId: details.actorId,
      reason: "rate_limited",
      metadata: { method, context: details.context, ...details.metadata },
    });
    const retryAfter = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
    throw new AppError("RATE_LIMITED", `Too many wrong codes; retry in ${retryAfter} s`, {
      headers: { "retry-after": String(retryAfter) },
    });
  }

  private async spend(user: User): Promise<void> {
    const { config, rateLimiter, lockouts, clock, logger, metrics } = this.deps;
    const setting = config.rateLimits[POLICY];
    if (!setting) return;
    let decision: RateLimitDecision;
    try {
      decision = await rateLimiter.check(POLICY, `user:${user.id}`, setting);
    } catch (error) {
      logger.error("rate limiter unavailable; second factor let through", { policy: POLICY, error });
      metrics.increment("tokens_rate_limiter_errors_total", { policy: POLICY, outcome: "allowed" });
      return;
    }
    const waitMs = nextTryInMs(decision, setting);
    if (waitMs > 0) await lockouts.lock(user.id, new Date(clock.now().getTime() + waitMs));
  }
}

/**
 * How long until the limiter allows the next try: its `retryAfterMs` when this one was refused;
 * when this one was allowed and spent the last try, the time one try takes to come back (GCRA:
 * the budget is full after `resetAfterMs`, one try back after `resetAfterMs - period + period/limit`);
 * 0 while tries are left.
 */
function nextTryInMs(decision: RateLimitDecision, setting: NonNullable<RateLimitSetting>): number {
  if (!decision.allowed) return decision.retryAfterMs;
  if (decision.remaining > 0) return 0;
  return Math.max(1, Math.ceil(decision.resetAfterMs - setting.periodMs + setting.periodMs / setting.limit));
}
