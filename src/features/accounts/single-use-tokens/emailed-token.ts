import type { IdKind } from "../../../platform/ids";
import { newId } from "../../../platform/ids";
import { generateSecret, hashSecret } from "../../../platform/secrets";
import type { Shared } from "../../../shared";
import type { EmailTemplate } from "../../email/message";
import type { User } from "../../users/user";
import type { SingleUseTokenRepository } from "./repository";

export interface EmailedTokenKind {
  /** Secret prefix (`rst`, `vfy`): recognisable if a token leaks. */
  prefix: string;
  idKind: IdKind;
  template: EmailTemplate;
}

export type EmailedTokenDeps = Pick<Shared, "email" | "clock" | "random"> & {
  tokens: SingleUseTokenRepository;
  ttlSeconds: number;
};

/**
 * Issues a single-use token for `user` (their earlier live ones stay live), stores only its hash and
 * queues the e-mail that delivers it (greeting the user by name only at a verified address). The renderer turns the token into a link with the token in
 * the URL fragment, so it never reaches a server's access log.
 */
export async function sendEmailedToken(
  kind: EmailedTokenKind,
  user: User,
  deps: EmailedTokenDeps,
): Promise<void> {
  const { tokens, email, clock, random, ttlSeconds } = deps;
  const token = generateSecret(kind.prefix, random);
  const now = clock.now();
  await tokens.issue({
    id: newId(kind.idKind, clock, random),
    userId: user.id,
    email: user.email,
    tokenHash: await hashSecret(token),
    expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
    createdAt: now,
  });
  await email.enqueue({
    template: kind.template,
    to: user.email,
    data: { ...greetingFor(user), token, expiresInMinutes: String(Math.round(ttlSeconds / 60)) },
  });
}

/**
 * The `name` an e-mail to `user` may greet them with: none while their address is unverified. Anyone
 * can register with someone else's address, and whatever they typed as a name would then arrive in
 * a genuine e-mail from this service; a verified address belongs to the person who chose the name.
 */
export function greetingFor(user: Pick<User, "name" | "emailVerifiedAt">): { name?: string } {
  return user.emailVerifiedAt ? { name: user.name } : {};
}
