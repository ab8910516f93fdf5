import { UniqueViolation } from "../../../db/errors";
import { AppError } from "../../../platform/errors";
import { newId } from "../../../platform/ids";
import type { Shared } from "../../../shared";
import type { User } from "../../users/user";
import type { InitialAdmin } from "../initial-admin/service";
import { newPasswordProblem, normalizePassword } from "../password-policy";
import type { SessionService } from "../sessions/service";
import type { TokenPair } from "../sessions/token-issuer";
import type { EmailVerificationService } from "../verification/service";

export type RegistrationDeps = Pick<
  Shared,
  "users" | "passwords" | "audit" | "background" | "clock" | "random"
> & {
  sessions: SessionService;
  verification: EmailVerificationService;
  initialAdmin: InitialAdmin;
};

export interface Registration {
  username: string;
  email: string;
  password: string;
  name?: string;
}

/** Self-service sign-up. */
export class RegistrationService {
  constructor(private readonly deps: RegistrationDeps) {}

  /**
   * Creates an `usuario` account, queues its verification e-mail and starts a session. A taken
   * username or e-mail is 409 without saying which.
   */
  async register(input: Registration): Promise<{ user: User; tokens: TokenPair }> {
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
      if (!(error instanceof UniqueViolation)) throw error;
      await audit.userEvent("auth.register", "failure", null, { reason: "taken" });
      throw new AppError("CONFLICT", "An account with this username or e-mail address already exists");
    }
    await audit.userEvent("auth.register", "success", user);
    background.defer("send the verification e-mail", () => verification.issue(user));
    return { user, tokens: await sessions.start(user) };
  }
}
