import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../../../db";
import { dateOrNull } from "../../../db/time";

/** A password-reset or e-mail-verification token as stored: its SHA-256 hash, never the token. */
export interface SingleUseToken {
  id: string;
  userId: string;
  /** The address the token was sent to. */
  email: string;
  tokenHash: string;
  expiresAt: Date;
  usedAt: Date | null;
  /** Set when a newer token for the same user replaced this one. */
  supersededAt: Date | null;
  createdAt: Date;
}

export type SingleUseTokenState = "live" | "used" | "superseded" | "expired";

/** The tables that hold single-use tokens; both have the same columns. */
export type SingleUseTokenTable = "password_resets" | "verification_tokens";

interface SingleUseTokenRow {
  id: string;
  user_id: string;
  email: string;
  token_hash: string;
  expires_at: number;
  used_at: number | null;
  superseded_at: number | null;
  created_at: number;
}

const COLUMNS = sql.raw("id, user_id, email, token_hash, expires_at, used_at, superseded_at, created_at");

function toToken(row: SingleUseTokenRow): SingleUseToken {
  return {
    id: row.id,
    userId: row.user_id,
    email: row.email,
    tokenHash: row.token_hash,
    expiresAt: new Date(row.expires_at),
    usedAt: dateOrNull(row.used_at),
    supersededAt: dateOrNull(row.superseded_at),
    createdAt: new Date(row.created_at),
  };
}

/** Why a token no longer works (or that it still does) at `at`; used is reported before expired. */
export function stateOf(token: SingleUseToken, at: Date): SingleUseTokenState {
  if (token.usedAt) return "used";
  if (token.supersededAt) return "superseded";
  if (token.expiresAt <= at) return "expired";
  return "live";
}

/**
 * Password-reset and verification tokens (one class, one table each). Issuing leaves the user's
 * other live tokens alone; consuming is one conditional UPDATE, so a token works once even under
 * concurrent requests.
 */
export class SingleUseTokenRepository {
  private readonly table: SQL;

  constructor(
    private readonly db: Database,
    table: SingleUseTokenTable,
  ) {
    this.table = sql.raw(table);
  }

  /**
   * Stores `token`. The user's other live tokens stay live: a request anyone can make (by typing
   * the address) must not cancel the link the owner is about to click. Using one token ends the
   * others where that matters (a password reset supersedes the rest).
   */
  async issue(token: Omit<SingleUseToken, "usedAt" | "supersededAt">): Promise<void> {
    await this.db.run(sql`
      INSERT INTO ${this.table} (id, user_id, email, token_hash, expires_at, created_at)
      VALUES (${token.id}, ${token.userId}, ${token.email}, ${token.tokenHash}, ${token.expiresAt.getTime()},
              ${token.createdAt.getTime()})`);
  }

  async findByHash(tokenHash: string): Promise<SingleUseToken | undefined> {
    const row = await this.db.first<SingleUseTokenRow>(
      sql`SELECT ${COLUMNS} FROM ${this.table} WHERE token_hash = ${tokenHash}`,
    );
    return row && toToken(row);
  }

  /** Uses the live token with this hash; undefined when it is unknown, used, superseded or expired. */
  async consume(tokenHash: string, at: Date): Promise<SingleUseToken | undefined> {
    const row = await this.db.first<SingleUseTokenRow>(sql`
      UPDATE ${this.table} SET used_at = ${at.getTime()}
      WHERE token_hash = ${tokenHash} AND used_at IS NULL AND superseded_at IS NULL AND expires_at > ${at.getTime()}
      RETURNING ${COLUMNS}`);
    return row && toToken(row);
  }

  /** Supersedes the user's unused tokens; a statement for `db.atomic`. */
  supersedeOutstandingStatement(userId: string, at: Date): SQL {
    return sql`
      UPDATE ${this.table} SET superseded_at = ${at.getTime()}
      WHERE user_id = ${userId} AND used_at IS NULL AND superseded_at IS NULL`;
  }
}
