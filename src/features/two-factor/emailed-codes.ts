import { AppError } from "../../platform/errors";
import { newId } from "../../platform/ids";
import type { Shared } from "../../shared";
import { PERMISSIONS } from "../authorization/permissions";
import type { Principal } from "../authorization/principal";
import { refusalOf } from "../authorization/rules";
import { enforceRateLimit } from "../rate-limit/enforce";
import type { User } from "../users/user";
import { type CodeHasher, emailedDigestInput } from "./code-hashing";
import type { CodeAttempt, CodeState, CodeStatus, TwoFactorCodeRepository } from "./code-repository";
import { generateNumericCode } from "./codes";
import type { TwoFactorFailures } from "./failures";

/**
 * What an e-mailed code is for. `second_factor` is the e-mail second factor: accepted as
 * `twoFactorCode` at login (and by the 2FA routes) when the user's method is `email`, and what
 * turns that method on. `confirmation` is a code a client confirms with `/tokens/validar-codigo/`
 * (proving the user reads the account's mailbox, e.g. before a sensitive change or to a help desk).
 * Codes of one purpose never satisfy the other.
 */
export const CODE_PURPOSES = ["second_factor", "confirmation"] as const;
/** One of `CODE_PURPOSES`. */
export type CodePurpose = (typeof CODE_PURPOSES)[number];

/** Digits of an e-mailed code. */
export const EMAILED_CODE_DIGITS = 6;

const SEND_POLICY = "two_factor_code_send";

/** What `EmailedCodeService` is built from. */
export type EmailedCodeDeps = Pick<
  Shared,
  "config" | "users" | "email" | "audit" | "metrics" | "clock" | "random" | "rateLimiter" | "logger"
> & {
  codes: TwoFactorCodeRepository;
  hasher: CodeHasher;
  failures: TwoFactorFailures;
};

/** What `send` tells the caller: never the code, which only the e-mail carries. */
export interface SentCode {
  userId: string;
  purpose: CodePurpose;
  expiresAt: Date;
  /** The address it went to, masked (`m•••@example.com`). */
  sentTo: string;
}

/** A code confirmed by `/tokens/validar-codigo/`. */
export interface ValidatedCode {
  userId: string;
  purpose: CodePurpose;
  validatedAt: Date;
}

/**
 * Short numeric codes sent by e-mail (seed 000's `gerar-codigo` / `validar-codigo`): 6 digits, a
 * TTL (`TWO_FACTOR_CODE_TTL`), stored as a keyed digest only, single-use, dead after 5 wrong tries,
 * and only the latest of a user's purpose works. A user asks for their own; an admin may ask for and
 * confirm a user's (a help desk reading the code back). Every send and every try is audited with
 * IP, user agent and result.
 */
export class EmailedCodeService {
  constructor(private readonly deps: EmailedCodeDeps) {}

  /** `POST /tokens/gerar-codigo/`: sends a code to `userId` (default: the caller). */
  async request(actor: Principal, input: { userId?: string; purpose: CodePurpose }): Promise<SentCode> {
    const target = await this.targetOf(actor, input.userId, "two-factor-codes:send-for-user");
    return this.send(target, input.purpose, actor.userId);
  }

  /** `POST /tokens/validar-codigo/`: uses the code if it is the target's live one. */
  async confirm(
    actor: Principal,
    input: { codigo: string; userId?: string; purpose: CodePurpose },
  ): Promise<ValidatedCode> {
    const target = await this.targetOf(actor, input.userId, "two-factor-codes:validate-for-user");
    const { failures, audit, metrics, clock } = this.deps;
    const now = clock.now();
    const attempt = await this.attempt(target.id, input.purpose, input.codigo, now);
    if (attempt.outcome === "accepted") {
      metrics.increment("tokens_two_factor_events_total", { event: "code_validated" });
      await audit.userEvent("two_factor_code.validate", "success", target, {
        actorId: actor.userId,
        metadata: { purpose: input.purpose, codeId: attempt.codeId },
      });
      return { userId: target.id, purpose: input.purpose, validatedAt: now };
    }
    const refusal = await this.refusalOf(target.id, input.purpose, attempt, now);
    await failures.record(target, "email", attempt.outcome === "rejected" ? "wrong_code" : "no_live_code", {
      context: "confirmation",
      actorId: actor.userId,
      auditEvent: "two_factor_code.validate",
      auditReason: refusal.reason,
      metadata: { purpose: input.purpose },
    });
    throw refusal.error;
  }

  /**
   * The latest code of `purpose` sent to `userId`, as an admin may see it (state, tries, who sent
   * it, when): never the code. The same permission as sending one on the user's behalf.
   */
  async latestFor(actor: Principal, userId: string, purpose: CodePurpose): Promise<CodeStatus | undefined> {
    const target = await this.targetOf(actor, userId, "two-factor-codes:send-for-user");
    return this.deps.codes.latest(target.id, this.deps.clock.now(), purpose);
  }

  /**
   * Issues a code for `target` (superseding the older one of the purpose) and queues its e-mail.
   * At most `RATE_LIMIT_TWO_FACTOR_CODE_SEND` per user, whoever asks: 429 beyond it.
   */
  async send(target: User, purpose: CodePurpose, actorId: string | null): Promise<SentCode> {
    const { codes, email, audit, metrics, clock, random, config, hasher } = this.deps;
    await this.spendSendBudget(target, purpose, actorId);
    const code = generateNumericCode(random, EMAILED_CODE_DIGITS);
    const now = clock.now();
    const expiresAt = new Date(now.getTime() + config.twoFactorCodeTtl * 1000);
    const codeId = newId("twoFactorCode", clock, random);
    await codes.issue({
      id: codeId,
      userId: target.id,
      purpose,
      codeHash: await (await hasher()).digest(emailedDigestInput(target.id, purpose, code)),
      expiresAt,
      createdBy: actorId,
      ip: audit.client.ip,
      userAgent: audit.client.userAgent,
      createdAt: await this.issueTime(target.id, purpose, now),
    });
    await email.enqueue({
      template: "two-factor-code",
      to: target.email,
      data: {
        code,
        name: target.name,
        expiresInMinutes: String(Math.max(1, Math.round(config.twoFactorCodeTtl / 60))),
      },
    });
    metrics.increment("tokens_two_factor_events_total", { event: "code_sent" });
    await audit.userEvent("two_factor_code.generate", "success", target, {
      actorId,
      metadata: { purpose, codeId, expiresAt: expiresAt.toISOString() },
    });
    return { userId: target.id, purpose, expiresAt, sentTo: maskEmail(target.email) };
  }

  /** Tries `code` against the user's live code of `purpose`: used if right, one wrong try if not. */
  async attempt(userId: string, purpose: CodePurpose, code: string, now: Date): Promise<CodeAttempt> {
    const digests = await (await this.deps.hasher()).candidates(emailedDigestInput(userId, purpose, code));
    return this.deps.codes.attempt(userId, purpose, digests, now);
  }

  /**
   * `now`, or just after the previous code of the purpose when that one has the same millisecond:
   * "the latest code" is ordered by creation time (ids only break ties, at random), so a code sent
   * right after another, as login does after `gerar-codigo`, must come strictly later.
   */
  private async issueTime(userId: string, purpose: CodePurpose, now: Date): Promise<Date> {
    const previous = await this.deps.codes.latest(userId, now, purpose);
    if (!previous || previous.createdAt < now) return now;
    return new Date(previous.createdAt.getTime() + 1);
  }

  private async spendSendBudget(target: User, purpose: CodePurpose, actorId: string | null): Promise<void> {
    try {
      await enforceRateLimit(
        this.deps,
        SEND_POLICY,
        `user:${target.id}`,
        "Too many codes were sent to this account",
      );
    } catch (error) {
      await this.deps.audit.userEvent("two_factor_code.generate", "failure", target, {
        actorId,
        reason: "rate_limited",
        metadata: { purpose },
      });
      throw error;
    }
  }

  /** The user a request is about: the caller, or (with the `…_for_user` permission) another user. */
  private async targetOf(
    actor: Principal,
    userId: string | undefined,
    permission: "two-factor-codes:send-for-user" | "two-factor-codes:validate-for-user",
  ): Promise<User> {
    if (userId !== undefined && userId !== actor.userId) {
      const refusal = refusalOf(actor, permission, PERMISSIONS[permission]);
      if (refusal)
        throw new AppError("FORBIDDEN", `Only an admin may act on another user's codes: ${refusal}`);
    }
    const id = userId ?? actor.userId;
    const user = id === actor.userId && actor.user ? actor.user : await this.deps.users.findById(id);
    if (!user) throw new AppError("NOT_FOUND", "No user with this id");
    if (user.status !== "active") throw new AppError("CONFLICT", "The account is disabled");
    return user;
  }

  /** Why no live code took the try, as an audit reason and the problem the caller gets. */
  private async refusalOf(
    userId: string,
    purpose: CodePurpose,
    attempt: Exclude<CodeAttempt, { outcome: "accepted" }>,
    now: Date,
  ): Promise<{ reason: string; error: AppError }> {
    if (attempt.outcome === "rejected") {
      const left = attempt.attemptsLeft;
      const detail =
        left > 0
          ? `The code is wrong; ${left} ${left === 1 ? "try" : "tries"} left`
          : "The code is wrong and now dead after too many wrong tries; request a new one";
      return { reason: "wrong_code", error: new AppError("CODE_REJECTED", detail) };
    }
    const state: CodeState | "none" = (await this.deps.codes.latest(userId, now, purpose))?.state ?? "none";
    return { reason: state === "pending" ? "superseded" : state, error: noLiveCodeError(state) };
  }
}

function noLiveCodeError(state: CodeState | "none"): AppError {
  switch (state) {
    case "none":
      return new AppError("NOT_FOUND", "No code was requested for this purpose; request one first");
    case "expired":
      return new AppError("GONE", "The code has expired; request a new one");
    case "used":
      return new AppError("CONFLICT", "The code was already used; request a new one");
    case "dead":
      return new AppError("CONFLICT", "The code is dead after too many wrong tries; request a new one");
    case "pending":
      // The latest code is pending yet the try found no live code: a newer one was issued meanwhile.
      return new AppError("CONFLICT", "A newer code was requested; use the latest one");
  }
}

/** `maria@example.com` → `m•••@example.com`: enough to recognise the mailbox, not to harvest it. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf("@");
  if (at <= 0) return "•••";
  return `${address[0]}•••${address.slice(at)}`;
}
