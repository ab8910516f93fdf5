import type { Database } from "../../../db";
import type { BackgroundTasks } from "../../../platform/background";
import type { ClientInfo } from "../../../platform/client-info";
import type { Clock } from "../../../platform/clock";
import { AppError } from "../../../platform/errors";
import type { PasswordHasher } from "../../../platform/password";
import type { RandomSource } from "../../../platform/random";
import { hashSecret } from "../../../platform/secrets";
import type { AuditService } from "../../audit/service";
import type { EmailOutbox } from "../../email/message";
import type { UserRepository } from "../../users/repository";
import type { InitialAdmin } from "../initial-admin/service";
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

export interface PasswordResetDeps {
  db: Database;
  users: UserRepository;
  resets: SingleUseTokenRepository;
  refreshTokens: RefreshTokenRepository;
  passwords: PasswordHasher;
  email: EmailOutbox;
  audit: AuditService;
  initialAdmin: InitialAdmin;
  background: BackgroundTasks;
  clock: Clock;
  random: RandomSource;
  ttlSeconds: number;
}

/** Forgotten passwords: a single-use token by e-mail, then a new password that ends every session. */
export class PasswordResetService {
  constructor(private readonly deps: PasswordResetDeps) {}

  /**
   * Sends a reset e-mail if an active account has this address. Returns at once: the work runs
   * after the 202, so neither the answer nor its timing tells whether the account exists.
   */
  request(address: string, client: ClientInfo): void {
    this.deps.background.defer("password reset request", () => this.send(address, client));
  }

  private async send(address: string, client: ClientInfo): Promise<void> {
    const { users, resets, email, audit, initialAdmin, clock, random, ttlSeconds } = this.deps;
    await initialAdmin.ensure();
    const user = await users.findByLogin(address);
    if (user?.status !== "active") {
      await audit.record({
        event: "password_reset.request",
        result: "failure",
        reason: user ? "disabled" : "unknown_email",
        actorId: user?.id ?? null,
        targetType: user ? "user" : undefined,
        targetId: user?.id ?? null,
        client,
      });
      return;
    }
    await sendEmailedToken(RESET_TOKEN, user, { tokens: resets, email, clock, random, ttlSeconds });
    await audit.record({
      event: "password_reset.request",
      result: "success",
      actorId: user.id,
      targetType: "user",
      targetId: user.id,
      client,
    });
  }

  /**
   * Sets the new password with a live token, once. In the same atomic unit: every refresh token
   * of the user is revoked, access tokens issued until now are refused, other reset tokens are
   * superseded. A password the policy refuses leaves the token usable.
   */
  async confirm(token: string, password: string, client: ClientInfo): Promise<void> {
    const { db, users, resets, refreshTokens, passwords, audit, clock } = this.deps;
    const tokenHash = await hashSecret(token);
    const pending = await resets.findByHash(tokenHash);
    const user = pending && (await users.findById(pending.userId));
    if (!pending || !user) {
      await audit.record({ event: "password_reset.confirm", result: "failure", reason: "unknown", client });
      throw unusableTokenError("unknown");
    }
    const state = stateOf(pending, clock.now());
    // Dead tokens are refused before the password is hashed: confirm is no free Argon2id oracle.
    if (state !== "live") return this.refuse(user.id, state, client);
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
    if (!used)
      return this.refuse(user.id, stateOf((await resets.findByHash(tokenHash)) ?? pending, now), client);
    const [revokedRows] = await db.atomic([
      refreshTokens.revokeAllForUserStatement(user.id, "password_reset", now),
      users.replacePasswordStatement(user.id, passwordHash, now),
      resets.supersedeOutstandingStatement(user.id, now),
    ]);
    await audit.record({
      event: "password_reset.confirm",
      result: "success",
      actorId: user.id,
      targetType: "user",
      targetId: user.id,
      client,
      metadata: { revokedSessions: revokedRows?.length ?? 0 },
    });
  }

  private async refuse(userId: string, state: SingleUseTokenState, client: ClientInfo): Promise<never> {
    await this.deps.audit.record({
      event: "password_reset.confirm",
      result: "failure",
      reason: state,
      actorId: userId,
      targetType: "user",
      targetId: userId,
      client,
    });
    throw unusableTokenError(state);
  }
}
