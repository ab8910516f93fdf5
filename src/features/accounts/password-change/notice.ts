import type { Shared } from "../../../shared";
import type { User } from "../../users/user";
import { greetingFor } from "../single-use-tokens/emailed-token";

/**
 * Queues the "your password was changed" e-mail (ASVS 5 V6.2.2's notification), after the
 * response: a queue hiccup must not turn a completed change into an error. It goes to the
 * account's address whoever changed it, so the owner learns of a change they did not make.
 */
export function sendPasswordChangedNotice(
  deps: Pick<Shared, "email" | "background">,
  user: Pick<User, "email" | "name" | "emailVerifiedAt">,
  method: "change" | "reset",
  at: Date,
): void {
  deps.background.defer("password changed notice", () =>
    deps.email.enqueue({
      template: "password-changed",
      to: user.email,
      data: { ...greetingFor(user), changedAt: at.toISOString(), method },
    }),
  );
}
