import { AppError } from "../../platform/errors";
import { newId } from "../../platform/ids";
import type { Shared } from "../../shared";
import { normalizePassword } from "../accounts/password-policy";
import type { User } from "../users/user";
import { type CodeHasher, recoveryDigestInput } from "./code-hashing";
import { generateRecoveryCodes, normalizeRecoveryCode } from "./codes";
import type { EmailedCodeService } from "./emailed-codes";
import type { TwoFactorFailures } from "./failures";
import { sendTwoFactorChangedNotice } from "./notice";
import { qrSvg } from "./qr-svg";
import type { TwoFactorMethod, TwoFactorRecord, TwoFactorRepository } from "./repository";
import { attemptedMethod, type SecondFactorVerifier } from "./second-factor-verifier";
import { generateTotpSecret, matchTotp, totpUri } from "./totp";

/** What `EnrolmentService` is built from. */
export type EnrolmentDeps = Pick<
  Shared,
  "config" | "clock" | "random" | "audit" | "metrics" | "passwords" | "secretBoxes" | "email" | "background"
> & {
  twoFactor: TwoFactorRepository;
  verifier: SecondFactorVerifier;
  emailedCodes: EmailedCodeService;
  failures: TwoFactorFailures;
  recoveryHasher: CodeHasher;
};

/** What an authenticator app needs, shown at setup (and on the activation page until enabled). */
export interface TotpSetup {
  /** RFC 4648 base32, 32 characters (160 bits). */
  secret: string;
  otpauthUrl: string;
  /** The `otpauthUrl` as a QR code, an inline SVG made in the Worker. */
  qrSvg: string;
}

/** A user's two-factor state, without any secret. */
export interface TwoFactorStatus {
  enabled: boolean;
  method: TwoFactorMethod | null;
  enabledAt: Date | null;
  /** A TOTP secret from setup is waiting for its first code. */
  pendingSetup: boolean;
  recoveryCodesLeft: number;
}

/** Accessible name of the QR code (Portuguese, like the page that shows it). */
const QR_LABEL = "Código QR para o aplicativo autenticador";

/**
 * Turning two-factor on and off for a signed-in user. TOTP: `setup` stores a fresh secret sealed
 * (AES-GCM, `TOTP_ENCRYPTION_KEY`, bound to the user id) as pending; `enable` with a code of that
 * secret makes it active and returns 10 recovery codes, shown only then and stored as keyed
 * digests. E-mail: `enable` with the latest `second_factor` code e-mailed by
 * `/tokens/gerar-codigo/`. `disable` needs the password and a current second factor; new recovery
 * codes need a current second factor. Already on means setup and enable answer 409: disable first,
 * so a stolen access token alone cannot swap the authenticator.
 */
export class EnrolmentService {
  constructor(private readonly deps: EnrolmentDeps) {}

  /** The user's two-factor state, without any secret. */
  async status(userId: string): Promise<TwoFactorStatus> {
    const record = await this.deps.twoFactor.findByUser(userId);
    const enabled = Boolean(record?.enabledAt);
    return {
      enabled,
      method: enabled ? record!.method : null,
      enabledAt: record?.enabledAt ?? null,
      pendingSetup: Boolean(record?.pendingSecret) && !enabled,
      recoveryCodesLeft: enabled ? await this.deps.twoFactor.countUnusedRecoveryCodes(userId) : 0,
    };
  }

  /** Stores a new pending TOTP secret (replacing an earlier pending one) and returns it. */
  async setup(user: User): Promise<TotpSetup> {
    const { twoFactor, secretBoxes, random, clock, audit, metrics } = this.deps;
    const record = await twoFactor.findByUser(user.id);
    if (record?.enabledAt) throw alreadyEnabled();
    const secret = generateTotpSecret(random);
    const sealed = await (await secretBoxes.totp()).encrypt(secret, user.id);
    await twoFactor.savePendingSecret(user.id, sealed, clock.now());
    metrics.increment("tokens_two_factor_events_total", { event: "setup" });
    await audit.userEvent("two_factor.setup", "success", user, { metadata: { method: "totp" } });
    return this.totpSetup(user, secret);
  }

  /** The pending setup again (the activation page redraws it), or undefined when none waits. */
  async pendingSetup(user: User): Promise<TotpSetup | undefined> {
    const record = await this.deps.twoFactor.findByUser(user.id);
    if (!record?.pendingSecret || record.enabledAt) return undefined;
    const secret = await (await this.deps.secretBoxes.totp()).decrypt(record.pendingSecret, user.id);
    return this.totpSetup(user, secret);
  }

  /** Turns two-factor on with a code of the chosen method; returns the new recovery codes. */
  async enable(user: User, input: { code: string; method: TwoFactorMethod }): Promise<string[]> {
    const record = await this.deps.twoFactor.findByUser(user.id);
    if (record?.enabledAt) throw alreadyEnabled();
    if (input.method === "totp") await this.enableTotp(user, record, input.code);
    else await this.enableEmail(user, input.code);
    const codes = await this.replaceRecoveryCodes(user);
    this.deps.metrics.increment("tokens_two_factor_events_total", { event: "enabled" });
    await this.deps.audit.userEvent("two_factor.enable", "success", user, {
      metadata: { method: input.method, recoveryCodes: codes.length },
    });
    sendTwoFactorChangedNotice(this.deps, user, "enabled", input.method, this.deps.clock.now());
    return codes;
  }

  /** Turns two-factor off: needs the password and a current second factor (or a recovery code). */
  async disable(user: User, input: { password: string; code: string }): Promise<void> {
    const { twoFactor, passwords, failures, verifier, audit, metrics } = this.deps;
    const record = await this.enabledRecord(user);
    const method = attemptedMethod(record.method, input.code);
    await failures.guard(user, method, { context: "manage" });
    if (!passwords.verify(user.passwordHash, normalizePassword(input.password)).valid) {
      // A stolen access token must not become a password oracle: wrong passwords spend the budget too.
      await failures.record(user, method, "wrong_password", {
        context: "manage",
        auditEvent: "two_factor.disable",
      });
      throw new AppError("VALIDATION_FAILED", "The password is wrong", {
        errors: [{ field: "body.password", message: "is not the account's password" }],
      });
    }
    await verifier.verify(user, record, input.code, "manage");
    await twoFactor.disable(user.id);
    metrics.increment("tokens_two_factor_events_total", { event: "disabled" });
    await audit.userEvent("two_factor.disable", "success", user, { metadata: { method: record.method } });
    sendTwoFactorChangedNotice(this.deps, user, "disabled", record.method, this.deps.clock.now());
  }

  /** A new set of recovery codes for a current second factor; the old set stops working. */
  async regenerateRecoveryCodes(user: User, code: string): Promise<string[]> {
    const record = await this.enabledRecord(user);
    await this.deps.verifier.verify(user, record, code, "manage");
    const codes = await this.replaceRecoveryCodes(user);
    this.deps.metrics.increment("tokens_two_factor_events_total", { event: "recovery_codes_generated" });
    await this.deps.audit.userEvent("two_factor.recovery_codes.generate", "success", user, {
      metadata: { recoveryCodes: codes.length },
    });
    sendTwoFactorChangedNotice(this.deps, user, "recovery-codes", record.method, this.deps.clock.now());
    return codes;
  }

  private async enableTotp(user: User, record: TwoFactorRecord | undefined, code: string): Promise<void> {
    const { twoFactor, secretBoxes, failures, clock } = this.deps;
    const pending = record?.pendingSecret;
    if (!pending) throw new AppError("CONFLICT", "No TOTP setup is waiting; call POST /auth/2fa/setup first");
    await failures.guard(user, "totp", { context: "manage", auditEvent: "two_factor.enable" });
    const secret = await (await secretBoxes.totp()).decrypt(pending, user.id);
    const now = clock.now();
    const step = matchTotp(secret, code, now.getTime());
    if (step === null) {
      await failures.record(user, "totp", "wrong_code", {
        context: "manage",
        auditEvent: "two_factor.enable",
      });
      throw new AppError("CODE_REJECTED", "The code does not match the secret from setup");
    }
    if (!(await twoFactor.enable(user.id, pending.ciphertext, step, now))) {
      throw new AppError("CONFLICT", "The setup changed meanwhile; scan the newest QR code and try again");
    }
  }

  private async enableEmail(user: User, code: string): Promise<void> {
    const { emailedCodes, twoFactor, failures, clock } = this.deps;
    const now = clock.now();
    const attempt = await emailedCodes.attempt(user.id, "second_factor", code, now);
    if (attempt.outcome !== "accepted") {
      const reason = attempt.outcome === "rejected" ? "wrong_code" : "no_live_code";
      await failures.record(user, "email", reason, { context: "manage", auditEvent: "two_factor.enable" });
      throw new AppError(
        "CODE_REJECTED",
        reason === "wrong_code"
          ? "The code is wrong"
          : "No e-mailed code is waiting; request one with POST /tokens/gerar-codigo/ (purpose second_factor)",
      );
    }
    if (!(await twoFactor.enableEmail(user.id, now))) throw alreadyEnabled();
  }

  private async enabledRecord(user: User): Promise<TwoFactorRecord> {
    const record = await this.deps.twoFactor.findByUser(user.id);
    if (!record?.enabledAt) throw new AppError("CONFLICT", "Two-factor authentication is not on");
    return record;
  }

  private async replaceRecoveryCodes(user: User): Promise<string[]> {
    const { twoFactor, random, clock, recoveryHasher } = this.deps;
    const hasher = await recoveryHasher();
    const codes = generateRecoveryCodes(random);
    const stored = await Promise.all(
      codes.map(async (code) => ({
        id: newId("recoveryCode", clock, random),
        codeHash: await hasher.digest(recoveryDigestInput(user.id, normalizeRecoveryCode(code)!)),
      })),
    );
    await twoFactor.replaceRecoveryCodes(user.id, stored, clock.now());
    return codes;
  }

  private totpSetup(user: User, secret: string): TotpSetup {
    // The key-uri label cannot carry ":"; usernames never hold one, and e-mails almost never.
    const account = user.email.includes(":") ? user.username : user.email;
    const otpauthUrl = totpUri({ secret, issuer: this.deps.config.app.name.replace(/:/g, ""), account });
    return { secret, otpauthUrl, qrSvg: qrSvg(otpauthUrl, QR_LABEL) };
  }
}

function alreadyEnabled(): AppError {
  return new AppError("CONFLICT", "Two-factor authentication is already on; disable it first to change it");
}
