import { newId } from "../../platform/ids";
import { generateSecret, hashSecret } from "../../platform/secrets";
import type { Shared } from "../../shared";
import type { User } from "../users/user";
import type { PageSessionRecord, PageSessionRepository, PageSessionStage } from "./page-session-repository";

/** Page session tokens look like `pst_<43 base64url chars>`: recognisable if one leaks. */
export const PAGE_SESSION_TOKEN_PREFIX = "pst";

/** Between a right password and the second factor, the session waits at most this long. */
export const SECOND_FACTOR_STAGE_MS = 5 * 60_000;

/** A live page session with its (active) user. */
export interface PageSession {
  id: string;
  stage: PageSessionStage;
  expiresAt: Date;
  user: User;
}

/**
 * Whether `user`'s sessions were cut off after `record` began. Millisecond times (no epoch is
 * stored with a page session): a session begun in the very millisecond of the cut-off survives it.
 */
function cutOffSince(record: PageSessionRecord, user: User): boolean {
  return user.tokensValidAfter !== null && record.createdAt.getTime() < user.tokensValidAfter.getTime();
}

/** What `PageSessionService` is built from. */
export type PageSessionDeps = Pick<Shared, "clock" | "random" | "users" | "audit" | "config"> & {
  sessions: PageSessionRepository;
};

/**
 * Server-side sessions of the pages, behind an HttpOnly cookie that carries a random 256-bit token
 * (only its SHA-256 is stored). `signed_in` sessions live `PAGE_SESSION_TTL` seconds from sign-in,
 * absolute; a `second_factor` session lives 5 minutes and gets a new token when the second factor
 * is done. A disabled or deleted user's session no longer resumes.
 */
export class PageSessionService {
  constructor(private readonly deps: PageSessionDeps) {}

  /** A new session for `user` at `stage`; returns the cookie's token (shown only here). */
  async start(user: User, stage: PageSessionStage): Promise<{ token: string; session: PageSession }> {
    const { sessions, clock, random, audit } = this.deps;
    const token = generateSecret(PAGE_SESSION_TOKEN_PREFIX, random);
    const now = clock.now();
    const record: PageSessionRecord = {
      id: newId("pageSession", clock, random),
      tokenHash: await hashSecret(token),
      userId: user.id,
      stage,
      expiresAt: new Date(now.getTime() + this.lifetimeMs(stage)),
      ip: audit.client.ip,
      userAgent: audit.client.userAgent,
      createdAt: now,
    };
    await sessions.create(record);
    if (stage === "signed_in")
      await audit.userEvent("web.sign_in", "success", user, { metadata: { secondFactor: false } });
    return { token, session: { id: record.id, stage, expiresAt: record.expiresAt, user } };
  }

  /**
   * The live session behind a cookie token, or undefined: unknown, expired, its user gone or
   * disabled, or begun before the user's sessions were last cut off (password reset or change,
   * logout everywhere), which ends page sessions as it ends every API session.
   */
  async resume(token: string | undefined): Promise<PageSession | undefined> {
    if (!token?.startsWith(`${PAGE_SESSION_TOKEN_PREFIX}_`) || token.length > 100) return undefined;
    const record = await this.deps.sessions.findLive(await hashSecret(token), this.deps.clock.now());
    if (!record) return undefined;
    const user = await this.deps.users.findById(record.userId);
    if (user?.status !== "active" || cutOffSince(record, user)) return undefined;
    return { id: record.id, stage: record.stage, expiresAt: record.expiresAt, user };
  }

  /**
   * Marks the second factor done: the session becomes `signed_in` under a new token (returned),
   * so a token seen before the second factor is worthless after it. Undefined if it already moved on.
   */
  async completeSecondFactor(session: PageSession): Promise<string | undefined> {
    const { sessions, clock, random } = this.deps;
    const token = generateSecret(PAGE_SESSION_TOKEN_PREFIX, random);
    const now = clock.now();
    const expiresAt = new Date(now.getTime() + this.lifetimeMs("signed_in"));
    if (!(await sessions.promote(session.id, await hashSecret(token), expiresAt, now))) return undefined;
    await this.deps.audit.userEvent("web.sign_in", "success", session.user, {
      metadata: { secondFactor: true },
    });
    return token;
  }

  /** Ends the session behind `token`, if any. */
  async end(token: string | undefined, session: PageSession | undefined): Promise<void> {
    if (!token) return;
    await this.deps.sessions.deleteByTokenHash(await hashSecret(token));
    if (session) await this.deps.audit.userEvent("web.sign_out", "success", session.user);
  }

  /** Audits a page form refused before it did anything (no or a wrong CSRF token, another site). */
  async refusedForm(form: string, reason: string, session: PageSession | undefined): Promise<void> {
    await this.deps.audit.userEvent("web.form", "failure", session?.user ?? null, {
      reason,
      metadata: { form },
    });
  }

  /** How long a session at `stage` lives from now: its cookie's Max-Age. */
  lifetimeSeconds(stage: PageSessionStage): number {
    return stage === "second_factor" ? SECOND_FACTOR_STAGE_MS / 1000 : this.deps.config.pageSessionTtl;
  }

  private lifetimeMs(stage: PageSessionStage): number {
    return this.lifetimeSeconds(stage) * 1000;
  }
}
