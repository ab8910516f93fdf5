import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../../db";
import type { Clock } from "../../platform/clock";
import { newId } from "../../platform/ids";
import type { RandomSource } from "../../platform/random";

/**
 * Institutions (codes such as `default`) and which users belong to them; the codes of a user's
 * institutions go into the `institutions` claim of their tokens (seed 002).
 */
export class InstitutionRepository {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly random: RandomSource,
  ) {}

  /** Creates the institutions whose codes do not exist yet (the code doubles as the name). */
  async ensure(codes: readonly string[]): Promise<void> {
    const at = this.clock.now().getTime();
    for (const code of new Set(codes)) {
      await this.db.run(sql`
        INSERT INTO institutions (id, code, name, created_at)
        VALUES (${newId("institution", this.clock, this.random)}, ${code}, ${code}, ${at})
        ON CONFLICT DO NOTHING`);
    }
  }

  /**
   * Links the user to the institution with this code, only if that user exists and the code does
   * (no error otherwise); a statement for `db.atomic`, so a link can join the user's creation.
   */
  linkIfUserExistsStatement(userId: string, code: string, at: Date): SQL {
    return sql`
      INSERT INTO user_institutions (user_id, institution_id, created_at)
      SELECT u.id, i.id, CAST(${at.getTime()} AS BIGINT) FROM users u, institutions i
      WHERE u.id = ${userId} AND i.code = ${code}
      ON CONFLICT DO NOTHING`;
  }

  /** The codes of the user's institutions, sorted, so tokens built from them are reproducible. */
  async codesForUser(userId: string): Promise<string[]> {
    const rows = await this.db.all<{ code: string }>(sql`
      SELECT i.code AS code FROM user_institutions ui JOIN institutions i ON i.id = ui.institution_id
      WHERE ui.user_id = ${userId}
      ORDER BY i.code`);
    return rows.map((row) => row.code);
  }
}
