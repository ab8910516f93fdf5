import { AppError } from "../../platform/errors";
import type { Shared } from "../../shared";
import type { SecondFactorCheck } from "../accounts/second-factor";
import type { User } from "../users/user";
import { type CodeHasher, recoveryDigestInput } from "./code-hashing";
import { normalizeRecoveryCode } from "./codes";
import type { EmailedCodeService } from "./emailed-codes";
import type { FactorMethod, FailureContext, FailureReason, TwoFactorFailures } from "./failures";
import type { TwoFactorMethod, TwoFactorRecord, TwoFactorRepository } from "./repository";
import { matchTotp, TOTP_DIGITS } from "./totp";

/** What `SecondFactorVerifier` is built from. */
export type SecondFactorVerifierDeps = Pick<Shared, "clock" | "audit" | "metrics" | "secretBoxes"> & {
  twoFactor: TwoFactorRepository;
  emailedCodes: EmailedCodeService;
  recoveryHasher: CodeHasher;
  failures: TwoFactorFailures;
};

/** Where a code is checked: login refuses with 401, the signed-in routes with 400. */
export type VerifyContext = Exclude<FailureContext, "confirmation">;

const SIX_DIGITS = new RegExp(`^[0-9]{${TOTP_DIGITS}}$`);

/**
 * Checks a user's second factor: the authenticator app's TOTP code (current step ±1, each step
 * accepted once through a compare-and-set, so a code cannot be replayed even by racing requests),
 * the latest e-mailed code when the user's method is `email`, or an unused recovery code (single
 * use). Refusals spend the user's wrong-code budget (`TwoFactorFailures`); while it is spent the
 * statement that would use the code refuses it, and the answer is 429. As the login's `SecondFactorCheck`, it answers `TWO_FACTOR_REQUIRED` when a
 * two-factor user sends no code, and e-mails one first when their method is `email`.
 */
export class SecondFactorVerifier implements SecondFactorCheck {
  constructor(private readonly deps: SecondFactorVerifierDeps) {}

  /** The login's second factor: resolves when `user` needs none or `code` is right; otherwise throws. */
  async check(user: User, code: string | undefined): Promise<void> {
    const record = await this.deps.twoFactor.findByUser(user.id);
    if (!record?.enabledAt) return;
    if (code === undefined) {
      if (record.method === "email") {
        await this.deps.emailedCodes.send(user, "second_factor", null);
        throw new AppError(
          "TWO_FACTOR_REQUIRED",
          "A code was sent to the account's e-mail address; send it (or a recovery code) as twoFactorCode",
        );
      }
      throw new AppError(
        "TWO_FACTOR_REQUIRED",
        "Send the authenticator app's current code (or a recovery code) as twoFactorCode",
      );
    }
    await this.verify(user, record, code, "login");
  }

  /**
   * Accepts `code` as `user`'s second factor (their `record` must be enabled) and returns which
   * kind it was; otherwise throws `INVALID_TWO_FACTOR_CODE` (login) or `CODE_REJECTED`, or 429
   * once the user's wrong-code budget is spent.
   */
  async verify(
    user: User,
    record: TwoFactorRecord,
    code: string,
    context: VerifyContext,
  ): Promise<FactorMethod> {
    const method = attemptedMethod(record.method, code);
    // No read first: the statement that uses the code refuses a locked-out user itself.
    await this.settle(user, method, await this.tryCode(user, record, method, code), context);
    return method;
  }

  /** The user's enabled second-factor method, or null while two-factor is off. */
  async enabledMethod(userId: string): Promise<TwoFactorMethod | null> {
    const record = await this.deps.twoFactor.findByUser(userId);
    return record?.enabledAt ? record.method : null;
  }

  /**
   * Accepts `code` as a second factor of the kind the client names (tenant MFA sends `method`):
   * `totp` needs the TOTP method on, `recovery` two-factor on, and `email` takes the latest e-mailed
   * `second_factor` code, which also serves a user without two-factor whom a tenant requires to
   * prove one. Same replay guard, budget, audit and errors as `verify`.
   */
  async verifyAs(user: User, method: FactorMethod, code: string, context: VerifyContext): Promise<void> {
    const record = await this.deps.twoFactor.findByUser(user.id);
    const enabled = record?.enabledAt ? record : undefined;
    const offered =
      method === "totp"
        ? enabled?.method === "totp" && SIX_DIGITS.test(code)
        : method === "email"
          ? (enabled === undefined || enabled.method === "email") && SIX_DIGITS.test(code)
          : enabled !== undefined && normalizeRecoveryCode(code) !== null;
    const refused = offered ? await this.tryCode(user, enabled, method, code) : "wrong_code";
    await this.settle(user, method, refused, context);
  }

  /** Counts, audits and throws a refusal; audits a recovery code's use. */
  private async settle(
    user: User,
    method: FactorMethod,
    refused: FailureReason | undefined,
    context: VerifyContext,
  ): Promise<void> {
    if (refused) {
      await this.deps.failures.record(user, method, refused, { context });
      throw refusalError(context, refused);
    }
    if (method === "recovery") await this.recoveryCodeUsed(user, context);
  }

  /** Undefined when the code is accepted (and now used), otherwise why not. */
  private async tryCode(
    user: User,
    record: TwoFactorRecord | undefined,
    method: FactorMethod,
    code: string,
  ): Promise<FailureReason | undefined> {
    const { twoFactor, emailedCodes, clock, secretBoxes, recoveryHasher } = this.deps;
    const now = clock.now();
    if (method === "recovery") {
      const normalized = normalizeRecoveryCode(code)!;
      const digests = await (await recoveryHasher()).candidates(recoveryDigestInput(user.id, normalized));
      return (await twoFactor.useRecoveryCode(user.id, digests, now)) ? undefined : "wrong_code";
    }
    if (method === "email") {
      const attempt = await emailedCodes.attempt(user.id, "second_factor", code, now);
      if (attempt.outcome === "accepted") return undefined;
      return attempt.outcome === "rejected" ? "wrong_code" : "no_live_code";
    }
    if (!record?.secret) throw new Error("two-factor row is enabled for TOTP without a secret");
    const secret = await (await secretBoxes.totp()).decrypt(record.secret, user.id);
    const step = matchTotp(secret, code, now.getTime());
    if (step === null) return "wrong_code";
    return (await twoFactor.acceptStep(user.id, step, now)) ? undefined : "replayed";
  }

  private async recoveryCodeUsed(user: User, context: VerifyContext): Promise<void> {
    const left = await this.deps.twoFactor.countUnusedRecoveryCodes(user.id);
    this.deps.metrics.increment("tokens_two_factor_events_total", { event: "recovery_code_used" });
    await this.deps.audit.userEvent("two_factor.recovery_code.use", "success", user, {
      metadata: { context, recoveryCodesLeft: left },
    });
  }
}

/**
 * Which kind of code `code` is for a user whose method is `method`: six digits are the method's
 * (TOTP or e-mailed), something that reads as a recovery code (`xxxxx-xxxxx`) is one, and anything
 * else is tried as the method's (and refused).
 */
export function attemptedMethod(method: TwoFactorMethod, code: string): FactorMethod {
  if (SIX_DIGITS.test(code)) return method;
  return normalizeRecoveryCode(code) === null ? method : "recovery";
}

function refusalError(context: VerifyContext, reason: FailureReason): AppError {
  const detail =
    reason === "replayed"
      ? "This code was already used; wait for the next one"
      : reason === "no_live_code"
        ? "No e-mailed code is waiting; request a new one"
        : "The code is wrong";
  return new AppError(context === "login" ? "INVALID_TWO_FACTOR_CODE" : "CODE_REJECTED", detail);
}
