import type { BackgroundTasks } from "../../../platform/background";
import type { ClientInfo } from "../../../platform/client-info";
import type { Clock } from "../../../platform/clock";
import { AppError } from "../../../platform/errors";
import { newId } from "../../../platform/ids";
import type { PasswordHasher } from "../../../platform/password";
import type { RandomSource } from "../../../platform/random";
import type { AuditService } from "../../audit/service";
import type { MetricsRecorder } from "../../metrics/recorder";
import type { InstitutionRepository } from "../../tenants/repository";
import type { UserRepository } from "../../users/repository";
import type { User } from "../../users/user";
import type { InitialAdmin } from "../initial-admin/service";
import { newPasswordProblem, normalizePassword } from "../password-policy";
import type { SecondFactorCheck } from "../second-factor";
import type { EmailVerificationService } from "../verification/service";
import type { SessionService } from "./service";
import type { TokenPair } from "./token-issuer";

export interface AccountDeps {
  users: UserRepository;
  institutions: InstitutionRepository;
  passwords: PasswordHasher;
  sessions: SessionService;
  verification: EmailVerificationService;
  secondFactor: SecondFactorCheck;
  initialAdmin: InitialAdmin;
  audit: AuditService;
  /** Counts refused logins in `tokens_auth_failures_total`. */
  metrics: Pick<MetricsRecorder, "increment">;
  background: BackgroundTasks;
  clock: Clock;
  random: RandomSource;
}

export interface Registration {
  username: string;
  email: string;
  password: string;
  name?: string;
}

export interface LoginAttempt {
  identifier: string;
  password: string;
  twoFactorCode?: string;
}

/** What `GET /auth/me` shows of a user. */
export interface UserProfile {
  id: string;
  username: string;
  email: string;
  name: string;
  role: User["role"];
  roles: User["role"][];
  institutions: string[];
  emailVerified: boolean;
  emailVerifiedAt: string | null;
  createdAt: string;
}

// A hash to verify against when the account does not exist, so that answer takes as long as a
// wrong password. Made with the current parameters, once per isolate and parameter set.
const dummyHashes = new Map<string, string>();

/** Registration, login and the signed-in user's profile. */
export class AccountService {
  constructor(private readonly deps: AccountDeps) {}

  /**
   * Creates an `usuario` account, queues its verification e-mail and starts a session. A taken
   * username or e-mail is 409 without saying which.
   */
  async register(input: Registration, client: ClientInfo): Promise<{ user: User; tokens: TokenPair }> {
    const { users, passwords, sessions, verification, initialAdmin, audit, background, clock, random } =
      this.deps;
    const problem = newPasswordProblem(input.password, input);
    if (problem) {
      throw new AppError("VALIDATION_FAILED", "One or more fields are invalid", {
        errors: [{ field: "body.password", message: problem }],
      });
    }
    await initialAdmin.ensure();
    let user: User;
    try {
      user = await users.create({
        id: newId("user", clock, random),
        username: input.username,
        email: input.email,
        passwordHash: passwords.hash(normalizePassword(input.password)),
        name: input.name ?? input.username,
        role: "usuario",
        status: "active",
        createdAt: clock.now(),
      });
    } catch (error) {
      if (!(error instanceof AppError && error.code === "CONFLICT")) throw error;
      await audit.record({ event: "auth.register", result: "failure", reason: "taken", client });
      throw new AppError("CONFLICT", "An account with this username or e-mail address already exists");
    }
    await audit.record({
      event: "auth.register",
      result: "success",
      actorId: user.id,
      targetType: "user",
      targetId: user.id,
      client,
    });
    background.defer("send the verification e-mail", () => verification.issue(user, client));
    return { user, tokens: await sessions.start(user, client) };
  }

  /**
   * Password login by username or e-mail. Unknown account, wrong password and disabled account
   * all end in the same 401 after the same Argon2id work; the audit row keeps the real reason.
   */
  async login(attempt: LoginAttempt, client: ClientInfo): Promise<TokenPair> {
    const { users, passwords, sessions, secondFactor, initialAdmin, clock } = this.deps;
    await initialAdmin.ensure();
    const password = normalizePassword(attempt.password);
    const user = await users.findByLogin(attempt.identifier);
    if (!user) {
      passwords.verify(this.dummyHash(), password);
      return this.refuse(null, "unknown_user", client);
    }
    const { valid, needsRehash } = passwords.verify(user.passwordHash, password);
    if (!valid) return this.refuse(user, "bad_password", client);
    if (user.status !== "active") return this.refuse(user, "disabled", client);
    try {
      await secondFactor.check(user, attempt.twoFactorCode);
    } catch (error) {
      await this.auditLogin(user, "failure", client, "second_factor");
      throw error;
    }
    if (needsRehash) await users.updatePasswordHash(user.id, passwords.hash(password), clock.now());
    await this.auditLogin(user, "success", client);
    return sessions.start(user, client);
  }

  async profile(user: User): Promise<UserProfile> {
    return {
      id: user.id,
      username: user.username,
      email: user.email,
      name: user.name,
      role: user.role,
      roles: [user.role],
      institutions: await this.deps.institutions.codesForUser(user.id),
      emailVerified: user.emailVerifiedAt !== null,
      emailVerifiedAt: user.emailVerifiedAt?.toISOString() ?? null,
      createdAt: user.createdAt.toISOString(),
    };
  }

  /** Every refused password login ends here: one audit row with the real reason, one count. */
  private async refuse(user: User | null, reason: string, client: ClientInfo): Promise<never> {
    this.deps.metrics.increment("tokens_auth_failures_total", { reason: "invalid_credentials" });
    await this.auditLogin(user, "failure", client, reason);
    throw new AppError("INVALID_CREDENTIALS", "The identifier or the password is wrong");
  }

  private async auditLogin(
    user: User | null,
    result: "success" | "failure",
    client: ClientInfo,
    reason?: string,
  ): Promise<void> {
    await this.deps.audit.record({
      event: "auth.login",
      result,
      reason,
      actorId: user?.id ?? null,
      targetType: user ? "user" : undefined,
      targetId: user?.id ?? null,
      client,
    });
  }

  private dummyHash(): string {
    const { passwords } = this.deps;
    const key = JSON.stringify(passwords.params);
    let hash = dummyHashes.get(key);
    if (!hash) {
      hash = passwords.hash("not a real password: only here to spend the time a real check takes");
      dummyHashes.set(key, hash);
    }
    return hash;
  }
}
