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
    const { users, passwords, sessions, secondFactor, initialAdmin, audit, clock } = this.deps;
    await initialAdmin.ensure();
    const password = normalizePassword(attempt.password);
    const user = await users.findByLogin(attempt.identifier);
    if (!user) {
      passwords.verify(await this.deps.dummyHashes.for(attempt.identifier), password);
      return this.refuse(null, "unknown_user");
    }
    const { valid, needsRehash } = passwords.verify(user.passwordHash, password);
    if (!valid) return this.refuse(user, "bad_password");
    if (user.status !== "active") return this.refuse(user, "disabled");
    try {
      await secondFactor.check(user, attempt.twoFactorCode);
    } catch (error) {
      await audit.userEvent("auth.login", "failure", user, { reason: "second_factor" });
      throw error;
    }
    if (needsRehash) await users.updatePasswordHash(user.id, passwords.hash(password), clock.now());
    await audit.userEvent("auth.login", "success", user);
    return sessions.start(user);
  }

  /** Every refused password login ends here: one audit row with the real reason, one count. */
  private async refuse(user: User | null, reason: string): Promise<never> {
    this.deps.metrics.increment("tokens_auth_failures_total", { reason: "invalid_credentials" });
    await this.deps.audit.userEvent("auth.login", "failure", user, { reason });
    throw new AppError("INVALID_CREDENTIALS", "The identifier or the password is wrong");
  }
}
