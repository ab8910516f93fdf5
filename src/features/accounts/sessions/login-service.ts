import { AppError } from "../../../platform/errors";
import type { Shared } from "../../../shared";
import type { User } from "../../users/user";
import type { InitialAdmin } from "../initial-admin/service";
import { normalizePassword } from "../password-policy";
import type { SecondFactorCheck } from "../second-factor";
import type { DummyPasswordHashes } from "./dummy-hash";
import type { SessionService } from "./service";
import type { TokenPair } from "./token-issuer";

export type LoginDeps = Pick<Shared, "users" | "passwords" | "audit" | "metrics" | "clock"> & {
  sessions: SessionService;
  secondFactor: SecondFactorCheck;
  initialAdmin: InitialAdmin;
  /** What an unknown account's password is verified against (same cost as the stored hashes). */
  dummyHashes: DummyPasswordHashes;
};

export interface LoginAttempt {
  identifier: string;
  password: string;
  twoFactorCode?: string;
}

/** Password sign-in by username or e-mail, then the second factor, then a new session. */
export class LoginService {
  constructor(private readonly deps: LoginDeps) {}

  /**
   * Unknown account, wrong password and disabled account all end in the same 401 after the same
   * Argon2id work; the audit row keeps the real reason.
   */
  async login(attempt: LoginAttempt): Promise<TokenPair> {
    const user = await this.checkPassword(attempt.identifier, attempt.password);
    await this.checkSecondFactor(user, attempt.twoFactorCode);
    // The success row commits with the session (never one without the other), in its round trip.
    return this.deps.sessions.start(user, [
      this.deps.audit.userEventStatement("auth.login", "success", user),
    ]);
  }

  /**
   * The password step alone, for sign-ins that are not token sessions (the 2FA activation page):
   * the same refusals, timing and audit rows as `login`, and the same re-hash on success. The
   * caller runs the second factor itself (`checkSecondFactor`).
   */
  async checkPassword(identifier: string, submittedPassword: string): Promise<User> {
    const { users, passwords, initialAdmin, clock } = this.deps;
    await initialAdmin.ensure();
    const password = normalizePassword(submittedPassword);
    const user = await users.findByLogin(identifier);
    if (!user) {
      passwords.verify(await this.deps.dummyHashes.for(identifier), password);
      return this.refuse(null, "unknown_user");
    }
    const { valid, needsRehash } = passwords.verify(user.passwordHash, password);
    if (!valid) return this.refuse(user, "bad_password");
    if (user.status !== "active") return this.refuse(user, "disabled");
    if (needsRehash) await users.updatePasswordHash(user.id, passwords.hash(password), clock.now());
    return user;
  }

  /** The second factor after the password matched; a refusal is audited as a failed login. */
  async checkSecondFactor(user: User, code: string | undefined): Promise<void> {
    try {
      await this.deps.secondFactor.check(user, code);
    } catch (error) {
      // Being asked for the second factor is a normal step of the login, not a wrong answer.
      const required = error instanceof AppError && error.code === "TWO_FACTOR_REQUIRED";
      await this.deps.audit.userEvent("auth.login", "failure", user, {
        reason: required ? "second_factor_required" : "second_factor",
      });
      throw error;
    }
  }

  /** Every refused password login ends here: one audit row with the real reason, one count. */
  private async refuse(user: User | null, reason: string): Promise<never> {
    this.deps.metrics.increment("tokens_auth_failures_total", { reason: "invalid_credentials" });
    await this.deps.audit.userEvent("auth.login", "failure", user, { reason });
    throw new AppError("INVALID_CREDENTIALS", "The identifier or the password is wrong");
  }
}
