import type { SQL } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import type { Database } from "./database";
import { UniqueViolation } from "./errors";

// drizzle renders the `sql` template (placeholders, escaping); statements run on the D1 binding
// directly, because drizzle's D1 batch does not accept raw `sql` queries.
const dialect = new SQLiteSyncDialect();

function translate(error: unknown): never {
  const message = `${String(error)} ${String((error as { cause?: unknown })?.cause ?? "")}`;
  if (message.includes("UNIQUE constraint failed")) {
    throw new UniqueViolation({ cause: error });
  }
  throw error;
}

/** The D1 adapter of the storage port. */
export function createD1Database(binding: D1Database): Database {
  const prepare = (query: SQL) => {
    const { sql, params } = dialect.sqlToQuery(query);
    return binding.prepare(sql).bind(...params);
  };
  const all = async <Row>(query: SQL): Promise<Row[]> => {
    const result = await prepare(query).all<Row>().catch(translate);
    return result.results;
  };
  return {
    dialect: "sqlite",
    all,
    first: async <Row>(query: SQL) => (await all<Row>(query))[0],
    run: async (query) => (await prepare(query).run().catch(translate)).meta.changes,
    async atomic(queries) {
      if (queries.length === 0) return [];
      const results = await binding.batch(queries.map(prepare)).catch(translate);
      return results.map((result) => result.results);
    },
    async ping() {
      await binding.prepare("SELECT 1 AS ok").first();
    },
  };
}
