import { type SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import { AppError } from "../platform/errors";
import type { Database } from "./database";

function translate(error: unknown): never {
  const message = `${String(error)} ${String((error as { cause?: unknown })?.cause ?? "")}`;
  if (message.includes("UNIQUE constraint failed")) {
    throw new AppError("CONFLICT", "A record with the same unique value already exists", { cause: error });
  }
  throw error;
}

const dialect = new SQLiteAsyncDialect();

/** The D1 adapter of the storage port. */
export function createD1Database(binding: D1Database): Database {
  const db = drizzle(binding);
  return {
    dialect: "sqlite",
    all: <Row>(query: SQL) => db.all<Row>(query).catch(translate),
    first: async <Row>(query: SQL) => (await db.all<Row>(query).catch(translate))[0],
    run: async (query) => (await db.run(query).catch(translate)).meta.changes,
    // D1's own batch, not drizzle's: drizzle's cannot batch raw `sql` templates that have
    // parameters (its raw query has no prepared statement to bind).
    async atomic(queries) {
      if (queries.length === 0) return [];
      const statements = queries.map((query) => {
        const { sql: text, params } = dialect.sqlToQuery(query);
        return binding.prepare(text).bind(...params);
      });
      const results = await binding.batch(statements).catch(translate);
      return results.map((result) => result.results ?? []);
    },
    async ping() {
      await db.all(sql`SELECT 1 AS ok`);
    },
    async close() {},
  };
}
