import type { Config } from "../config";
import { createD1Database } from "./d1";
import type { Database } from "./database";
import { createPostgresDatabase } from "./postgres";

export type { Database } from "./database";

/**
 * Picks the storage from configuration: D1 by default, PostgreSQL through the Hyperdrive binding
 * when `DATABASE = "hyperdrive"` (a D1 deploy has no such binding; `loadConfig` refuses
 * `hyperdrive` without one).
 */
export function createDatabase(
  env: Pick<Env, "DB" | "HYPERDRIVE">,
  config: Pick<Config, "database">,
): Database {
  if (config.database !== "hyperdrive") return createD1Database(env.DB);
  if (!env.HYPERDRIVE) throw new Error("DATABASE is hyperdrive but the HYPERDRIVE binding is missing");
  return createPostgresDatabase(env.HYPERDRIVE.connectionString);
}
