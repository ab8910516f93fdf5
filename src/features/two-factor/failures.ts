import { AppError } from "../../platform/errors";
import type { Shared } from "../../shared";
import { RATE_LIMIT_POLICIES } from "../rate-limit/policies";
import type { User } from "../users/user";

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

export type TwoFactorFailuresDeps = Pick<Shared, "config" | "rateLimiter" | "logger" | "metrics" | "audit">;

/**
 * Refused second factors, in one place: the per-user budget of wrong ones (the `two_factor_user`
 * policy in the rate-limit Durable Object, apart from the password limits), their metric and
 * their audit row. Only failures spend the budget: `guard` before an attempt asks without spending
 * (429 with `Retry-After` once spent), `record` after a refused code spends one. TOTP, e-mailed and
 * recovery codes share the budget wherever they are typed. A limiter that cannot be reached lets the
 * attempt through, logged and counted, as the route middleware does.
 */
export class TwoFactorFailures {
  constructor(private readonly deps: TwoFactorFailuresDeps) {}

  /** Throws 429 while `user` has no wrong tries left; the refusal is counted and audited. */
  async guard(user: User, method: FactorMethod, details: FailureDetails): Promise<void> {
    const { config, rateLimiter, metrics, audit } = this.deps;
    const setting = config.rateLimits[POLICY];
    if (!setting) return;
    let decision: Awaited<ReturnType<typeof rateLimiter.peek>>;
    try {
      decision = await rateLimiter.peek(POLICY, subject(user.id), setting);
    } catch (error) {
      return this.unavailable(error);
    }
    if (decision.allowed) return;
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
    const retryAfter = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    throw new AppError("RATE_LIMITED", `Too many wrong codes; retry in ${retryAfter} s`, {
      headers: { "retry-after": String(retryAfter) },
    });
  }

  /** Spends one wrong try of `user`'s budget, counts the failure and audits it. */
  async record(
    user: User,
    method: FactorMethod,
    reason: FailureReason,
    details: FailureDetails,
  ): Promise<void> {
    const { config, rateLimiter, metrics, audit } = this.deps;
    const setting = config.rateLimits[POLICY];
    if (setting) {
      try {
        await rateLimiter.check(POLICY, subject(user.id), setting);
      } catch (error) {
        this.unavailable(error);
      }
    }
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

  private unavailable(error: unknown): void {
    this.deps.logger.error("rate limiter unavailable; second factor let through", { policy: POLICY, error });
    this.deps.metrics.increment("tokens_rate_limiter_errors_total", { policy: POLICY });
  }
}

function subject(userId: string): string {
  return `user:${userId}`;
}
