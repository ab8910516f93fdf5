import { AppError } from "../../../platform/errors";
import { hashSecret } from "../../../platform/secrets";
import type { Shared } from "../../../shared";
import type { InitialAdmin } from "../initial-admin/service";
import { sendPasswordChangedNotice } from "../password-change/notice";
import { newPasswordProblem, normalizePassword } from "../password-policy";
import type { RefreshTokenRepository } from "../sessions/repository";
import { sendEmailedToken } from "../single-use-tokens/emailed-token";
import { unusableTokenError } from "../single-use-tokens/errors";
import {
  type SingleUseTokenRepository,
  type SingleUseTokenState,
  stateOf,
} from "../single-use-tokens/repository";

/** Reset tokens look like `rst_<43 base64url chars>`: recognisable if they leak. */
export const RESET_TOKEN_PREFIX = "rst";
const RESET_TOKEN = {
  prefix: RESET_TOKEN_PREFIX,
  idKind: "passwordReset",
  template: "password-reset",
} as const;

export type PasswordResetDeps = Pick<
  Shared,
  "db" | "users" | "passwords" | "email" | "audit" | "background" | "clock" | "random" | "credentials"
> & {
  resets: SingleUseTokenRepository;
  refreshTokens: RefreshTokenRepository;
  initialAdmin: InitialAdmin;
  ttlSeconds: number;
};

/** Forgotten passwords: a single-use token by e-mail, then a new password that ends every session. */
export class PasswordResetService {
  constructor(private readonly deps: PasswordResetDeps) {}

  /**
   * Sends a reset e-mail if an active account has this address. Returns at once: the work runs
   * after the 202, so neither the answer nor its timing tells whether the account exists.
   */
  request(address: string): void {
    this.deps.background.defer("password reset request", () => this.send(address));
  }

  private async send(address: string): Promise<void> {
    const { users, resets, email, audit, initialAdmin, clock, random, ttlSeconds } = this.deps;
    await initialAdmin.ensure();
    const user = await users.findByLogin(address);
    if (user?.status !== "active") {
      await audit.userEvent("password_reset.request", "failure", user, {
        reason: user ? "disabled" : "unknown_email",
      });
      return;
    }
    await sendEmailedToken(RESET_TOKEN, user, { tokens: resets, email, clock, random, ttlSeconds });
    await audit.userEvent("password_reset.request", "success", user);
  }

  /**
   * Sets the new password with a live token, once. In the same atomic unit: every refresh token
   * of the user is revoked, access tokens issued until now are refused, other reset tokens are
   * superseded. A password the policy refuses leaves the token usable. A notice e-mail follows.
   */
  async confirm(token: string, password: string): Promise<void> {
    const { db, users, resets, refreshTokens, passwords, audit, clock, credentials } = this.deps;
    const tokenHash = await hashSecret(token);
    const pending = await resets.findByHash(tokenHash);
    const user = pending && (await users.findById(pending.userId));
    if (!pending || !user) {
      await audit.userEvent("password_reset.confirm", "failure", null, { reason: "unknown" });
      throw unusableTokenError("unknown");
    }
    const state = stateOf(pending, clock.now());
    // Dead tokens are refused before the password is hashed: confirm is no free Argon2id oracle.
    if (state !== "live") return this.refuse(user.id, state);
    const problem = newPasswordProblem(password, user);
    if (problem) {
      throw new AppError("VALIDATION_FAILED", "One or more fields are invalid", {
        errors: [{ field: "body.password", message: problem }],
      });
    }
    const passwordHash = passwords.hash(normalizePassword(password));
    const now = clock.now();
    const used = await resets.consume(tokenHash, now);
    // Another request used the token meanwhile: report its state as it is now.
    if (!used) return this.refuse(user.id, stateOf((await resets.findByHash(tokenHash)) ?? pending, now));
    const [revokedRows] = await db.atomic([
      refreshTokens.revokeAllForUserStatement(user.id, "password_reset", now),
      users.replacePasswordStatement(user.id, passwordHash, now),
      resets.supersedeOutstandingStatement(user.id, now),
    ]);
    // The cut-off applies at once here; other isolates read it within AUTH_CACHE_SECONDS.
    credentials.forgetUser(user.id);
    await audit.userEvent("password_reset.confirm", "success", user, {
      metadata: { revokedSessions: revokedRows?.length ?? 0 },
    });
    sendPasswordChangedNotice(this.deps, user, "reset", now);
  }

  private async refuse(userId: string, state: SingleUseTokenState): Promise<never> {
    await this.deps.audit.userEvent("password_reset.confirm", "failure", userId, { reason: state });
    throw unusableTokenError(state);
  }
}
