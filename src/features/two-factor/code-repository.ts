import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../../db";
import { dateOrNull } from "../../db/time";
import { hashList } from "./hash-list";
import { notLockedOut } from "./lockout-repository";

/** Wrong tries after which a code is dead. */
export const MAX_CODE_ATTEMPTS = 5;

/** An e-mailed code about to be stored: its SHA-256 hash, never the code. */
export interface NewTwoFactorCode {
  id: string;
  userId: string;
  /** What the code is for, e.g. `login` or `confirm`; codes of different purposes do not interfere. */
  purpose: string;
  codeHash: string;
  expiresAt: Date;
  /** Who asked for it: the user, or an admin on the user's behalf. */
  createdBy: string | null;
  ip: string | null;
  userAgent: string | null;
  createdAt: Date;
}

/** What a try with a code did. */
export type CodeAttempt =
  | { outcome: "accepted"; codeId: string }
  /** Wrong code, counted against the live code; `attemptsLeft` 0 means it is now dead. */
  | { outcome: "rejected"; codeId: string; attemptsLeft: number }
  /** No live code to try against: none issued, or used, expired, superseded or dead; or the user is locked out. */
  | { outcome: "no_live_code" };

/** Where a code stands, for an admin screen: `dead` means too many wrong tries. */
export type CodeState = "pending" | "used" | "expired" | "dead";

/** A user's latest code as an admin may see it: everything but the hash. */
export interface CodeStatus {
  id: string;
  purpose: string;
  state: CodeState;
  attempts: number;
  expiresAt: Date;
  usedAt: Date | null;
  createdBy: string | null;
  ip: string | null;
  userAgent: string | null;
  createdAt: Date;
}

interface CodeStatusRow {
  id: string;
  purpose: string;
  attempts: number;
  expires_at: number;
  used_at: number | null;
  created_by: string | null;
  ip: string | null;
  user_agent: string | null;
  created_at: number;
}

function stateOf(row: CodeStatusRow, at: Date, maxAttempts: number): CodeState {
  if (row.used_at !== null) return "used";
  if (row.attempts >= maxAttempts) return "dead";
  if (row.expires_at <= at.getTime()) return "expired";
  return "pending";
}

/**
 * Codes sent by e-mail, on D1 or PostgreSQL. Only a user's latest code of a purpose can be used:
 * issuing marks the older ones superseded, and every try also requires the code to be the latest,
 * so two codes issued at once never both work. A try is two conditional UPDATEs in one atomic
 * unit (use it if the hash matches, else count a wrong try while fewer than the maximum), so
 * concurrent right answers use it once and concurrent wrong ones kill it after the maximum.
 */
export class TwoFactorCodeRepository {
  constructor(private readonly db: Database) {}

  /** Stores `code` and supersedes the same user's older unused codes of the same purpose. */
  async issue(code: NewTwoFactorCode): Promise<void> {
    const at = code.createdAt.getTime();
    await this.db.atomic([
      sql`
        UPDATE two_factor_codes SET superseded_at = ${at}
        WHERE user_id = ${code.userId} AND purpose = ${code.purpose}
          AND used_at IS NULL AND superseded_at IS NULL
          AND (created_at < ${at} OR (created_at = ${at} AND id < ${code.id}))`,
      sql`
        INSERT INTO two_factor_codes (id, user_id, purpose, code_hash, expires_at, created_by, ip, user_agent, created_at)
        VALUES (${code.id}, ${code.userId}, ${code.purpose}, ${code.codeHash}, ${code.expiresAt.getTime()},
                ${code.createdBy}, ${code.ip}, ${code.userAgent}, ${at})`,
    ]);
  }

  /**
   * Tries `codeHash` (or any of several: the digests of one typed code under each configured key)
   * against the user's live code of `purpose` at `now`: uses it when a hash matches, otherwise
   * counts one wrong try.
   */
  async attempt(
    userId: string,
    purpose: string,
    codeHash: string | readonly string[],
    now: Date,
    maxAttempts = MAX_CODE_ATTEMPTS,
  ): Promise<CodeAttempt> {
    const live = this.liveLatestCondition(userId, purpose, now, maxAttempts);
    const hashes = hashList(codeHash);
    const [used, counted] = await this.db.atomic([
      sql`
        UPDATE two_factor_codes SET used_at = ${now.getTime()}
        WHERE ${live} AND code_hash IN (${hashes})
        RETURNING id`,
      // After a successful use above the code is no longer live, so this changes nothing.
      sql`
        UPDATE two_factor_codes SET attempts = attempts + 1
        WHERE ${live} AND code_hash NOT IN (${hashes})
        RETURNING id, attempts`,
    ]);
    const usedRow = (used as Array<{ id: string }>)[0];
    if (usedRow) return { outcome: "accepted", codeId: usedRow.id };
    const countedRow = (counted as Array<{ id: string; attempts: number }>)[0];
    if (countedRow) {
      return {
        outcome: "rejected",
        codeId: countedRow.id,
        attemptsLeft: maxAttempts - Number(countedRow.attempts),
      };
    }
    return { outcome: "no_live_code" };
  }

  /** The user's latest code (of `purpose`, or of any), without its hash; undefined if none. */
  async latest(
    userId: string,
    at: Date,
    purpose?: string,
    maxAttempts = MAX_CODE_ATTEMPTS,
  ): Promise<CodeStatus | undefined> {
    const row = await this.db.first<CodeStatusRow>(sql`
      SELECT id, purpose, attempts, expires_at, used_at, created_by, ip, user_agent, created_at
      FROM two_factor_codes
      WHERE user_id = ${userId} ${purpose === undefined ? sql`` : sql`AND purpose = ${purpose}`}
      ORDER BY created_at DESC, id DESC
      LIMIT 1`);
    if (!row) return undefined;
    return {
      id: row.id,
      purpose: row.purpose,
      state: stateOf(row, at, maxAttempts),
      attempts: Number(row.attempts),
      expiresAt: new Date(row.expires_at),
      usedAt: dateOrNull(row.used_at),
      createdBy: row.created_by,
      ip: row.ip,
      userAgent: row.user_agent,
      createdAt: new Date(row.created_at),
    };
  }

  /** The user's latest code of `purpose`, if it is still usable at `now` (and the user not locked out). */
  private liveLatestCondition(userId: string, purpose: string, now: Date, maxAttempts: number): SQL {
    return sql`
      id = (SELECT id FROM two_factor_codes WHERE user_id = ${userId} AND purpose = ${purpose}
            ORDER BY created_at DESC, id DESC LIMIT 1)
      AND used_at IS NULL AND superseded_at IS NULL
      AND expires_at > ${now.getTime()} AND attempts < ${maxAttempts}
      AND ${notLockedOut(userId, now)}`;
  }
}
