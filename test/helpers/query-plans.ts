import { type SQL, sql } from "drizzle-orm";
import { expect } from "vitest";
import type { Database } from "../../src/db/database";

/**
 * A `Database` that runs every query on `inner` and keeps it, so a test can call a repository
 * method as the product does and then ask the database how it plans each statement.
 */
export function recordingDatabase(inner: Database): { db: Database; queries: SQL[] } {
  const queries: SQL[] = [];
  const kept = (...list: SQL[]) => {
    queries.push(...list);
  };
  const db: Database = {
    dialect: inner.dialect,
    all(query) {
      kept(query);
      return inner.all(query);
    },
    first(query) {
      kept(query);
      return inner.first(query);
    },
    run(query) {
      kept(query);
      return inner.run(query);
    },
    atomic(list) {
      kept(...list);
      return inner.atomic(list);
    },
    ping: () => inner.ping(),
  };
  return { db, queries };
}

/**
 * The plan of `query`, one line per step: SQLite's `EXPLAIN QUERY PLAN` details, or PostgreSQL's
 * `EXPLAIN` with sequential scans disabled for the statement (on a small test table the planner
 * would otherwise prefer a scan it would never choose at scale; disabled, it still scans when no
 * index can serve the query, which is what the test looks for).
 */
export async function planOf(db: Database, query: SQL): Promise<string[]> {
  if (db.dialect === "sqlite") {
    const rows = await db.all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${query}`);
    return rows.map((row) => row.detail);
  }
  const [, rows] = await db.atomic([sql`SET LOCAL enable_seqscan = off`, sql`EXPLAIN ${query}`]);
  return (rows as Array<{ "QUERY PLAN": string }>).map((row) => row["QUERY PLAN"]);
}

/** Asserts that no step of any recorded query reads a whole table. */
export async function expectIndexedOnly(db: Database, queries: SQL[], label: string): Promise<void> {
  expect(queries.length, `${label}: no query was recorded`).toBeGreaterThan(0);
  for (const query of queries) {
    const plan = await planOf(db, query);
    const scans = plan.filter((step) =>
      db.dialect === "sqlite"
        ? /^SCAN (?!CONSTANT ROW)/.test(step) && !/USING (COVERING )?INDEX/.test(step)
        : /Seq Scan/.test(step),
    );
    expect(scans, `${label}: ${plan.join(" | ")}`).toEqual([]);
  }
}

/**
 * Asserts that the recorded queries' plans read `index`: for a query that an index without the
 * right leading columns can also serve, reading far more rows than it needs (an index search on
 * `revoked_at IS NULL` is a search on nearly every row), which `expectIndexedOnly` lets pass.
 */
export async function expectPlanUses(
  db: Database,
  queries: SQL[],
  index: string,
  label: string,
): Promise<void> {
  const plans = await Promise.all(queries.map((query) => planOf(db, query)));
  const steps = plans.flat();
  expect(
    steps.some((step) => step.includes(index)),
    `${label} does not use ${index}: ${steps.join(" | ")}`,
  ).toBe(true);
}
