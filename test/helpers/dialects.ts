import { env } from "cloudflare:test";
import { describe } from "vitest";
import { createD1Database } from "../../src/db/d1";
import type { Database } from "../../src/db/database";
import { createPostgresDatabase } from "../../src/db/postgres";

/** The test project's PostgreSQL (its HYPERDRIVE binding, which production D1 deploys do not have). */
export function postgresUrl(): string {
  if (!env.HYPERDRIVE) throw new Error("the test project has no HYPERDRIVE binding (vitest.config.mts)");
  return env.HYPERDRIVE.connectionString;
}

/**
 * Runs a repository contract suite once on D1 and once on the real PostgreSQL. D1 is fresh per
 * test file; PostgreSQL is shared by the whole run, so suites use unique values (never fixed ids).
 */
export function describeOnEachDialect(name: string, suite: (db: () => Database) => void): void {
  describe(`${name} on D1`, () => {
    const db = createD1Database(env.DB);
    suite(() => db);
  });
  describe(`${name} on PostgreSQL`, () => {
    // Never end()ed: see src/db/postgres.ts; workerd closes the sockets.
    let db: Database | undefined;
    suite(() => {
      db ??= createPostgresDatabase(postgresUrl());
      return db;
    });
  });
}

let counter = 0;

/** A string unique across the run, for usernames, e-mails, codes and ids. */
export function unique(prefix = "x"): string {
  return `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}${crypto.randomUUID().slice(0, 8)}`;
}
