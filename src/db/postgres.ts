import { connect } from "node:net";
import { type SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import type { Database } from "./database";
import { UniqueViolation } from "./errors";

const UNIQUE_VIOLATION = "23505";

function translate(error: unknown): never {
  const code =
    (error as { code?: string; cause?: { code?: string } })?.code ??
    (error as { cause?: { code?: string } })?.cause?.code;
  if (code === UNIQUE_VIOLATION) {
    throw new UniqueViolation({ cause: error });
  }
  throw error;
}

/**
 * workerd's own node:net sockets instead of postgres.js's Workers polyfill, whose read loop rejects
 * unhandled on every close (porsager/postgres#1196, #1202): one unhandled rejection per request in
 * production, and a failed run under the Workers vitest pool. postgres.js supports the `socket`
 * option but does not declare it in its types, hence the separate, typed object.
 */
const workerdSocket: object = {
  socket: ({ host, port }: { host: string[]; port: number[] }) => connect({ host: host[0]!, port: port[0]! }),
};

/**
 * The PostgreSQL adapter of the storage port, over a Hyperdrive connection string. A client is made
 * per request (Hyperdrive pools the real connections) and never `end()`ed: workerd closes a
 * request's sockets when it finishes, and `end()` there leaves an unhandled "Stream was cancelled"
 * rejection (porsager/postgres#1202). int8 is parsed as a
 * JS number: every bigint column holds epoch milliseconds, well inside 2^53.
 */
export function createPostgresDatabase(connectionString: string): Database {
  const client = postgres(connectionString, {
    max: 5,
    fetch_types: false,
    prepare: true,
    onnotice: () => {},
    types: {
      int8: {
        to: 20,
        from: [20],
        serialize: (value: number) => String(value),
        parse: (value: string) => Number(value),
      },
    },
    ...workerdSocket,
  });
  const db = drizzle(client);
  const rows = async <Row>(query: SQL): Promise<Row[]> =>
    Array.from((await db.execute(query).catch(translate)) as unknown as Row[]);
  return {
    dialect: "postgres",
    all: rows,
    first: async <Row>(query: SQL) => (await rows<Row>(query))[0],
    run: async (query) => ((await db.execute(query).catch(translate)) as unknown as { count: number }).count,
    async atomic(queries) {
      return db
        .transaction(async (tx) => {
          const results: unknown[][] = [];
          for (const query of queries)
            results.push(Array.from((await tx.execute(query)) as unknown as unknown[]));
          return results;
        })
        .catch(translate);
    },
    async ping() {
      await db.execute(sql`SELECT 1 AS ok`);
    },
  };
}
