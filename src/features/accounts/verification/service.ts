import { AppError } from "../../../platform/errors";
import { hashSecret } from "../../../platform/secrets";
import type { Shared } from "../../../shared";
import type { User } from "../../users/user";
import { sendEmailedToken } from "../single-use-tokens/emailed-token";
import { unusableTokenError } from "../single-use-tokens/errors";
import { type SingleUseTokenRepository, stateOf } from "../single-use-tokens/repository";

/** Verification tokens look like `vfy_<43 base64url chars>`: recognisable if they leak. */
export const VERIFICATION_TOKEN_PREFIX = "vfy";
const VERIFICATION_TOKEN = {
  prefix: VERIFICATION_TOKEN_PREFIX,
  idKind: "verification",
  template: "verify-email",
} as const;

export type EmailVerificationDeps = Pick<
  Shared,
  "users" | "email" | "audit" | "background" | "clock" | "random" | "credentials"
> & {
  tokens: SingleUseTokenRepository;
  ttlSeconds: number;
};

/** Proves a user owns their e-mail address with a single-use token sent to it. */
export class EmailVerificationService {
  constructor(private readonly deps: EmailVerificationDeps) {}

  /** Issues a token (earlier live ones stay live) and queues the e-mail with its link. */
  async issue(user: User): Promise<void> {
    const { tokens, email, audit, clock, random, ttlSeconds } = this.deps;
    await sendEmailedToken(VERIFICATION_TOKEN, user, { tokens, email, clock, random, ttlSeconds });
    await audit.userEvent("email_verification.request", "success", user);
  }

  /**
   * Sends a new verification e-mail if an unverified account has this address. Returns at once:
   * the work runs after the response, so neither the answer nor its timing tells whether the
   * account exists.
   */
  request(address: string): void {
    this.deps.background.defer("verification e-mail request", async () => {
      const user = await this.deps.users.findByLogin(address);
      if (!user || user.emailVerifiedAt || user.status !== "active") {
        await this.deps.audit.userEvent("email_verification.request", "failure", user, {
          reason: !user ? "unknown_email" : user.emailVerifiedAt ? "already_verified" : "disabled",
        });
        return;
      }
      await this.issue(user);
    });
  }

  /** Uses the token and marks the address verified; returns when it was verified. */
  async verify(token: string): Promise<Date> {
    const { users, tokens, audit, clock, credentials } = this.deps;
    const tokenHash = await hashSecret(token);
    const now = clock.now();
    const used = await tokens.consume(tokenHash, now);
    if (!used) {
      const known = await tokens.findByHash(tokenHash);
      const state = known ? stateOf(known, now) : "unknown";
      await audit.userEvent("email_verification.verify", "failure", known?.userId, { reason: state });
      throw unusableTokenError(state);
    }
    const marked = await users.markEmailVerifiedIfCurrent(used.userId, used.email, now);
    // So that this isolate's next /auth/me says verified (others within AUTH_CACHE_SECONDS).
    if (marked) credentials.forgetUser(used.userId);
    const user = await users.findById(used.userId);
    const verifiedAt = user?.emailVerifiedAt;
    await audit.userEvent("email_verification.verify", verifiedAt ? "success" : "failure", used.userId, {
      reason: verifiedAt ? (marked ? undefined : "already_verified") : "address_changed",
    });
    if (!verifiedAt)
      throw new AppError("CONFLICT", "The account's e-mail address changed after this link was sent");
    return verifiedAt;
  }
}
