import type { SQL } from "drizzle-orm";

/**
 * One statement a repository builds for `Database.atomic`: services pass these between
 * repositories (a change and its audit row) without writing or reading SQL themselves.
 */
export type Statement = SQL;

/**
 * The storage port every repository uses. Queries are drizzle `sql` templates written in the SQL
 * both dialects share (RETURNING, ON CONFLICT, lower()); the adapter renders placeholders for its
 * dialect. A unique-constraint violation surfaces as `UniqueViolation` (./errors.ts) on both.
 */
export interface Database {
  readonly dialect: "sqlite" | "postgres";
  /** All rows of a query. */
  all<Row>(query: SQL): Promise<Row[]>;
  /** The first row, or undefined. */
  first<Row>(query: SQL): Promise<Row | undefined>;
  /** Runs a statement and returns the number of rows it changed. */
  run(query: SQL): Promise<number>;
  /**
   * Runs the statements all-or-nothing and returns each one's rows (use RETURNING to see what a
   * write did). A D1 batch or a PostgreSQL transaction: non-interactive on purpose, so a rule like
   * "use an invite once" is one conditional statement, never a read followed by a write.
   */
  atomic(queries: SQL[]): Promise<unknown[][]>;
  /** Checks the database answers; used by /readyz. */
  ping(): Promise<void>;
}
