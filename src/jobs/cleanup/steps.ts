import { sql } from "drizzle-orm";
import type { Database } from "../../db";

/**
 * One cleanup task of the cron run. `runBatch` changes at most `limit` rows that are due at `now`
 * and returns how many it changed; the runner calls it again while it returns a full batch and the
 * run's budget lasts. A batch must be idempotent: running it twice, or in two overlapping runs,
 * leaves the same result.
 */
export interface CleanupStep {
  /** Stable snake_case name: the `step` label of `tokens_cleanup_rows_total` and of the log line. */
  name: string;
  runBatch(db: Database, now: number, limit: number): Promise<number>;
}

type Scalar = string | number;

interface OlderThan {
  name: string;
  table: string;
  /** An epoch-milliseconds column (nullable: NULL never matches). Index it. */
  column: string;
  /** Rows qualify when `column < now - retentionMs`; 0 means "as soon as it is in the past". */
  retentionMs?: number;
  /** Extra equality conditions, e.g. `{ state: "novo" }`. */
  where?: Record<string, Scalar>;
  /** The primary key column; `id` unless told. */
  idColumn?: string;
}

/**
 * Deletes rows whose `column` is older than the cutoff, in bounded batches. Portable SQL (D1 and
 * PostgreSQL): `DELETE FROM t WHERE id IN (SELECT id FROM t WHERE c < ? … LIMIT ?)`. Table and
 * column names are code constants, quoted as identifiers; only the cutoff and limit are parameters.
 *
 * @example deleteOlderThan({ name: "refresh_tokens_expired", table: "refresh_tokens", column: "expires_at" })
 * @example deleteOlderThan({ name: "refresh_tokens_revoked", table: "refresh_tokens", column: "revoked_at", retentionMs: 7 * DAY_MS })
 */
export function deleteOlderThan(options: OlderThan): CleanupStep {
  return {
    name: options.name,
    runBatch: (db, now, limit) => {
      const id = sql.identifier(options.idColumn ?? "id");
      const table = sql.identifier(options.table);
      return db.run(sql`DELETE FROM ${table} WHERE ${id} IN (${dueRows(options, now, limit)})`);
    },
  };
}

/**
 * Sets columns on rows whose `column` is older than the cutoff, in bounded batches; for state
 * changes such as invites past `data_expiracao` becoming `expirado`. `where` must exclude rows
 * already changed (e.g. `{ estado: "novo" }`), or the step never finishes.
 *
 * @example updateOlderThan({ name: "invites_expired", table: "invites", column: "data_expiracao", where: { estado: "novo" }, set: { estado: "expirado" } })
 */
export function updateOlderThan(options: OlderThan & { set: Record<string, Scalar> }): CleanupStep {
  const assignments = Object.entries(options.set);
  if (assignments.length === 0) throw new Error(`${options.name}: set needs at least one column`);
  return {
    name: options.name,
    runBatch: (db, now, limit) => {
      const id = sql.identifier(options.idColumn ?? "id");
      const table = sql.identifier(options.table);
      const set = sql.join(
        assignments.map(([column, value]) => sql`${sql.identifier(column)} = ${value}`),
        sql`, `,
      );
      return db.run(sql`UPDATE ${table} SET ${set} WHERE ${id} IN (${dueRows(options, now, limit)})`);
    },
  };
}

function dueRows(options: OlderThan, now: number, limit: number) {
  const id = sql.identifier(options.idColumn ?? "id");
  const table = sql.identifier(options.table);
  const cutoff = now - (options.retentionMs ?? 0);
  const conditions = [
    sql`${sql.identifier(options.column)} < ${cutoff}`,
    ...Object.entries(options.where ?? {}).map(
      ([column, value]) => sql`${sql.identifier(column)} = ${value}`,
    ),
  ];
  return sql`SELECT ${id} FROM ${table} WHERE ${sql.join(conditions, sql` AND `)} LIMIT ${limit}`;
}
