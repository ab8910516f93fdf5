import { env } from "cloudflare:test";
import { createD1Database } from "../../src/db/d1";
import type { Database } from "../../src/db/database";
import { createPostgresDatabase } from "../../src/db/postgres";

/**
 * The dialects every repository contract runs against: D1 inside workerd, and the throwaway
 * PostgreSQL 15 of test/setup/global.ts through the Hyperdrive binding. PostgreSQL is shared by
 * all test files, so contract tests use unique values instead of expecting an empty table.
 * `open()` is called inside each test: workerd ties a socket to the test that opened it.
 */
export const DIALECTS: Array<{ name: string; open: () => Database }> = [
  { name: "D1", open: () => createD1Database(env.DB) },
  { name: "PostgreSQL", open: () => createPostgresDatabase(env.HYPERDRIVE.connectionString) },
];

/** A value no other test (or earlier run on the shared PostgreSQL) has used. */
export function unique(prefix: string): string {
  return `${prefix}${crypto.randomUUID().slice(0, 8)}`;
}
