import { sql } from "drizzle-orm";
import type { Database } from "../../db";

/** `second_factor`: the password matched and the second factor is still due; `signed_in`: done. */
export type PageSessionStage = "second_factor" | "signed_in";

/** A page session as stored: the cookie's token only as its SHA-256. */
export interface PageSessionRecord {
  id: string;
  tokenHash: string;
  userId: string;
  stage: PageSessionStage;
  expiresAt: Date;
  ip: string | null;
  userAgent: string | null;
  createdAt: Date;
}

interface PageSessionRow {
  id: string;
  token_hash: string;
  user_id: string;
  stage: PageSessionStage;
  expires_at: number;
  ip: string | null;
  user_agent: string | null;
  created_at: number;
}

function toRecord(row: PageSessionRow): PageSessionRecord {
  return {
    id: row.id,
    tokenHash: row.token_hash,
    userId: row.user_id,
    stage: row.stage,
    expiresAt: new Date(Number(row.expires_at)),
    ip: row.ip,
    userAgent: row.user_agent,
    createdAt: new Date(Number(row.created_at)),
  };
}

/**
 * Cookie sessions of the server-rendered pages, on D1 or PostgreSQL. A session is found only by
 * the hash of its token and only while it lives; moving it to `signed_in` also replaces its token
 * (one conditional statement), so the token that was out before the second factor stops working.
 */
export class PageSessionRepository {
  constructor(private readonly db: Database) {}

  /** Stores a new session. */
  async create(session: PageSessionRecord): Promise<void> {
    await this.db.run(sql`
      INSERT INTO page_sessions (id, token_hash, user_id, stage, expires_at, ip, user_agent, created_at)
      VALUES (${session.id}, ${session.tokenHash}, ${session.userId}, ${session.stage},
              ${session.expiresAt.getTime()}, ${session.ip}, ${session.userAgent}, ${session.createdAt.getTime()})`);
  }

  /** The live session with this token hash at `now`, or undefined. */
  async findLive(tokenHash: string, now: Date): Promise<PageSessionRecord | undefined> {
    const row = await this.db.first<PageSessionRow>(sql`
      SELECT id, token_hash, user_id, stage, expires_at, ip, user_agent, created_at
      FROM page_sessions WHERE token_hash = ${tokenHash} AND expires_at > ${now.getTime()}`);
    return row && toRecord(row);
  }

  /**
   * Moves a live `second_factor` session to `signed_in` with a new token hash and expiry; true for
   * exactly one caller.
   */
  async promote(id: string, newTokenHash: string, expiresAt: Date, now: Date): Promise<boolean> {
    const changed = await this.db.run(sql`
      UPDATE page_sessions SET stage = 'signed_in', token_hash = ${newTokenHash}, expires_at = ${expiresAt.getTime()}
      WHERE id = ${id} AND stage = 'second_factor' AND expires_at > ${now.getTime()}`);
    return changed === 1;
  }

  /** Ends the session with this token hash; whether there was one. */
  async deleteByTokenHash(tokenHash: string): Promise<boolean> {
    return (await this.db.run(sql`DELETE FROM page_sessions WHERE token_hash = ${tokenHash}`)) === 1;
  }
}
