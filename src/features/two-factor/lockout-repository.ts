import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../../db";

/**
 * The condition "`userId` is not locked out at `now`", for the one conditional statement that uses
 * a second factor (a TOTP step, a recovery code, an e-mailed code): so a locked-out user's code is
 * never accepted, without a read before the write.
 */
export function notLockedOut(userId: string, now: Date): SQL {
  return sql`NOT EXISTS (SELECT 1 FROM two_factor_lockouts
                         WHERE two_factor_lockouts.user_id = ${userId} AND locked_until > ${now.getTime()})`;
}

/**
 * When a user's second factors are refused outright (their wrong-code budget is spent), on D1 or
 * PostgreSQL. One row per user at most; a later lock extends an earlier one, never shortens it.
 */
export class TwoFactorLockoutRepository {
  constructor(private readonly db: Database) {}

  /** Until when `userId` is locked out at `now`, or undefined when not. */
  async lockedUntil(userId: string, now: Date): Promise<Date | undefined> {
    const row = await this.db.first<{ locked_until: number }>(sql`
      SELECT locked_until FROM two_factor_lockouts
      WHERE user_id = ${userId} AND locked_until > ${now.getTime()}`);
    return row ? new Date(Number(row.locked_until)) : undefined;
  }

  /** Locks `userId` out until `until`, or leaves a later lock as it is. */
  async lock(userId: string, until: Date): Promise<void> {
    await this.db.run(sql`
      INSERT INTO two_factor_lockouts (user_id, locked_until) VALUES (${userId}, ${until.getTime()})
      ON CONFLICT (user_id) DO UPDATE SET locked_until = excluded.locked_until
      WHERE two_factor_lockouts.locked_until < excluded.locked_until`);
  }
}
