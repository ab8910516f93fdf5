import type { Shared } from "../../shared";
import { greetingFor } from "../accounts/single-use-tokens/emailed-token";
import type { User } from "../users/user";
import type { TwoFactorMethod } from "./repository";

/** What changed in a user's second factor. */
export type TwoFactorChange = "enabled" | "disabled" | "recovery-codes";

/**
 * Queues the "your two-step verification changed" e-mail, after the response (a queue hiccup must
 * not turn a completed change into an error), to the account's address whoever made the change:
 * someone holding a stolen session who turns 2FA off or takes the recovery codes is exactly what
 * the owner must hear about (as GitHub and Google do). It says what changed and when, never a code.
 */
export function sendTwoFactorChangedNotice(
  deps: Pick<Shared, "email" | "background">,
  user: Pick<User, "email" | "name" | "emailVerifiedAt">,
  change: TwoFactorChange,
  method: TwoFactorMethod,
  at: Date,
): void {
  deps.background.defer("two-factor changed notice", () =>
    deps.email.enqueue({
      template: "two-factor-changed",
      to: user.email,
      data: { ...greetingFor(user), changedAt: at.toISOString(), change, method },
    }),
  );
}
