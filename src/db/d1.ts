import { type SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { AppError } from "../platform/errors";
import type { Database } from "./database";

function translate(error: unknown): never {
  const message = `${String(error)} ${String((error as { cause?: unknown })?.cause ?? "")}`;
  if (message.includes("UNIQUE constraint failed")) {
    throw new AppError("CONFLICT", "A record with the same unique value already exists", { cause: error });
  }
  throw error;
}

/** The D1 adapter of the storage port. */
export function createD1Database(binding: D1Database): Database {
  const db = drizzle(binding);
  return {
    dialect: "sqlite",
    all: <Row>(query: SQL) => db.all<Row>(query).catch(translate),
    first: async <Row>(query: SQL) => (await db.all<Row>(query).catch(translate))[0],
    run: async (query) => (await db.run(query).catch(translate)).meta.changes,
    async atomic(queries) {
      const [head, ...rest] = queries.map((query) => db.all(query));
      if (!head) return [];
      return (await db.batch([head, ...rest]).catch(translate)) as unknown[][];
    },
    async ping() {
      await db.all(sql`SELECT 1 AS ok`);
    },
    async close() {},
  };
}
