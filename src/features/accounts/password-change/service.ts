import { AppError } from "../../../platform/errors";
import type { Shared } from "../../../shared";
import type { User } from "../../users/user";
import { newPasswordProblem, normalizePassword } from "../password-policy";
import type { RefreshTokenRepository } from "../sessions/repository";
import type { SessionService } from "../sessions/service";
import type { TokenPair } from "../sessions/token-issuer";
import { sendPasswordChangedNotice } from "./notice";

export type PasswordChangeDeps = Pick<
  Shared,
  "db" | "users" | "passwords" | "email" | "audit" | "metrics" | "background" | "clock"
> & {
  sessions: SessionService;
  refreshTokens: RefreshTokenRepository;
};

export interface PasswordChange {
  currentPassword: string;
  newPassword: string;
}

/** Why a field of the change was refused, as the 400 names it. */
function invalid(field: keyof PasswordChange, message: string): AppError {
  return new AppError("VALIDATION_FAILED", "One or more fields are invalid", {
    errors: [{ field: `body.${field}`, message }],
  });
}

/**
 * A signed-in user changes their password (ASVS 5 V6.2.2/V6.2.3): the current one is checked
 * again, since an access token alone is not proof enough for this. Every session ends, the one
 * that asked included (the token epoch moves on, every refresh token is revoked); the answer is a
 * new session, so the user carries on and whoever held the old tokens does not. A notice goes to
 * the account's address.
 */
export class PasswordChangeService {
  constructor(private readonly deps: PasswordChangeDeps) {}

  async change(user: User, change: PasswordChange): Promise<TokenPair> {
    const { db, users, passwords, refreshTokens, sessions, audit, metrics, clock } = this.deps;
    const current = normalizePassword(change.currentPassword);
    if (!passwords.verify(user.passwordHash, current).valid) {
      metrics.increment("tokens_auth_failures_total", { reason: "invalid_credentials" });
      await audit.userEvent("auth.password_change", "failure", user, { reason: "bad_password" });
      throw invalid("currentPassword", "is not your current password");
    }
    const problem = newPasswordProblem(change.newPassword, user);
    if (problem) throw invalid("newPassword", problem);
    const next = normalizePassword(change.newPassword);
    if (next === current) throw invalid("newPassword", "must differ from the current password");

    const now = clock.now();
    const [revoked] = await db.atomic([
      refreshTokens.revokeAllForUserStatement(user.id, "password_change", now),
      users.replacePasswordStatement(user.id, passwords.hash(next), now),
    ]);
    await audit.userEvent("auth.password_change", "success", user, {
      metadata: { revokedSessions: revoked?.length ?? 0 },
    });
    sendPasswordChangedNotice(this.deps, user, "change", now);
    // Read again: the new session is issued under the epoch the change just set.
    const changed = await users.findById(user.id);
    if (!changed) throw new AppError("INVALID_TOKEN");
    return sessions.start(changed);
  }
}
