import {
  createExecutionContext,
  createScheduledController,
  env,
  SELF,
  waitOnExecutionContext,
} from "cloudflare:test";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createD1Database } from "../../src/db/d1";
import type { Database } from "../../src/db/database";
import { createPostgresDatabase } from "../../src/db/postgres";
import worker from "../../src/index";
import { CLEANUP_STEPS } from "../../src/jobs/cleanup/registry";
import { deleteOlderThan, updateOlderThan } from "../../src/jobs/cleanup/steps";
import { createScheduledHandler } from "../../src/jobs/scheduled";
import { DAY_MS } from "../../src/platform/clock";
import { postgresUrl } from "../helpers/dialects";
import { parseExposition, total } from "../helpers/prometheus";

const SCHEDULED = Date.UTC(2026, 5, 1, 3, 0);
const budget = (batchSize: number, maxBatches: number) => ({
  ...env,
  LOG_LEVEL: "info",
  CLEANUP_BATCH_SIZE: String(batchSize),
  CLEANUP_MAX_BATCHES: String(maxBatches),
});

async function createProbeTable(db: Database, table: string): Promise<void> {
  const name = sql.identifier(table);
  const time = db.dialect === "postgres" ? sql.raw("bigint") : sql.raw("integer");
  await db.run(
    sql`CREATE TABLE ${name} (id text PRIMARY KEY, expires_at ${time}, state text NOT NULL DEFAULT 'novo')`,
  );
  await db.run(sql`CREATE INDEX ${sql.identifier(`${table}_expires_at`)} ON ${name} (expires_at)`);
}

/** Inserts `count` rows expiring at `expiresAt`, in one statement. */
async function seed(
  db: Database,
  table: string,
  prefix: string,
  count: number,
  expiresAt: number,
  state = "novo",
) {
  const name = sql.identifier(table);
  const query =
    db.dialect === "postgres"
      ? sql`INSERT INTO ${name} (id, expires_at, state) SELECT ${prefix} || i, ${expiresAt}::bigint, ${state} FROM generate_series(1, ${count}::int) AS i`
      : sql`INSERT INTO ${name} (id, expires_at, state) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${count}) SELECT ${prefix} || i, ${expiresAt}, ${state} FROM n`;
  await db.run(query);
}

async function count(db: Database, table: string, where = sql`1 = 1`): Promise<number> {
  const row = await db.first<{ n: number | string }>(
    sql`SELECT count(*) AS n FROM ${sql.identifier(table)} WHERE ${where}`,
  );
  return Number(row?.n ?? 0);
}

async function runScheduled(handler: ExportedHandlerScheduledHandler<Env>, vars: Env, at = SCHEDULED) {
  const ctx = createExecutionContext();
  try {
    await handler(createScheduledController({ scheduledTime: at, cron: "*/15 * * * *" }), vars, ctx);
  } finally {
    await waitOnExecutionContext(ctx);
  }
}

async function scrape() {
  return parseExposition(await (await SELF.fetch("https://auth.test/metrics")).text());
}

const d1 = () => createD1Database(env.DB);

afterEach(() => {
  vi.restoreAllMocks();
});

describe("cron cleanup (D1)", () => {
  it("deletes due rows in bounded batches over several runs, then finds nothing (idempotent)", async () => {
    const db = d1();
    await createProbeTable(db, "probe_a");
    await seed(db, "probe_a", "old_", 2500, SCHEDULED - 1);
    await seed(db, "probe_a", "new_", 100, SCHEDULED + 60_000);
    await seed(db, "probe_a", "now_", 5, SCHEDULED);
    const handler = createScheduledHandler([
      deleteOlderThan({ name: "probe_a_expired", table: "probe_a", column: "expires_at" }),
    ]);
    const logs = vi.spyOn(console, "log").mockImplementation(() => {});
    const before = await scrape();

    await runScheduled(handler, budget(1000, 2));
    expect(await count(db, "probe_a")).toBe(605);
    await runScheduled(handler, budget(1000, 2));
    expect(await count(db, "probe_a")).toBe(105);
    await runScheduled(handler, budget(1000, 2));
    expect(await count(db, "probe_a")).toBe(105);
    expect(await count(db, "probe_a", sql`id LIKE 'old_%'`)).toBe(0);

    const steps = logs.mock.calls
      .map(([line]) => JSON.parse(String(line)) as Record<string, unknown>)
      .filter((entry) => entry.msg === "cleanup step");
    expect(steps.map((entry) => [entry.step, entry.rows, entry.batches, entry.done])).toEqual([
      ["probe_a_expired", 2000, 2, false],
      ["probe_a_expired", 500, 1, true],
      ["probe_a_expired", 0, 1, true],
    ]);
    expect(steps[0]).toMatchObject({ scheduledTime: "2026-06-01T03:00:00.000Z", cron: "*/15 * * * *" });

    const after = await scrape();
    const moved = (name: string, labels: Record<string, string>) =>
      total(after, name, labels) - total(before, name, labels);
    expect(moved("tokens_cleanup_rows_total", { step: "probe_a_expired" })).toBe(2500);
    expect(moved("tokens_cleanup_runs_total", { outcome: "partial" })).toBe(1);
    expect(moved("tokens_cleanup_runs_total", { outcome: "complete" })).toBe(2);
  });

  it("honours the retention period and extra conditions", async () => {
    const db = d1();
    await createProbeTable(db, "probe_b");
    await seed(db, "probe_b", "week_", 30, SCHEDULED - 8 * DAY_MS);
    await seed(db, "probe_b", "days_", 20, SCHEDULED - 2 * DAY_MS);
    await seed(db, "probe_b", "kept_", 7, SCHEDULED - 8 * DAY_MS, "usado");
    const handler = createScheduledHandler([
      deleteOlderThan({
        name: "probe_b_old",
        table: "probe_b",
        column: "expires_at",
        retentionMs: 7 * DAY_MS,
        where: { state: "novo" },
      }),
    ]);
    vi.spyOn(console, "log").mockImplementation(() => {});
    await runScheduled(handler, budget(1000, 10));
    expect(await count(db, "probe_b")).toBe(27);
    expect(await count(db, "probe_b", sql`id LIKE 'week_%'`)).toBe(0);
  });

  it("moves due rows to another state (invites → expirado) and leaves the others alone", async () => {
    const db = d1();
    await createProbeTable(db, "probe_c");
    await seed(db, "probe_c", "due_", 250, SCHEDULED - 1000);
    await seed(db, "probe_c", "used_", 40, SCHEDULED - 1000, "usado");
    await seed(db, "probe_c", "live_", 60, SCHEDULED + DAY_MS);
    const handler = createScheduledHandler([
      updateOlderThan({
        name: "probe_c_expired",
        table: "probe_c",
        column: "expires_at",
        where: { state: "novo" },
        set: { state: "expirado" },
      }),
    ]);
    vi.spyOn(console, "log").mockImplementation(() => {});
    await runScheduled(handler, budget(100, 10));
    await runScheduled(handler, budget(100, 10));
    expect(await count(db, "probe_c", sql`state = 'expirado'`)).toBe(250);
    expect(await count(db, "probe_c", sql`state = 'usado'`)).toBe(40);
    expect(await count(db, "probe_c", sql`state = 'novo'`)).toBe(60);
  });

  it("shares the budget round robin, so a huge backlog does not starve the other steps", async () => {
    const db = d1();
    await createProbeTable(db, "probe_big");
    await createProbeTable(db, "probe_small");
    await seed(db, "probe_big", "b_", 5000, SCHEDULED - 1);
    await seed(db, "probe_small", "s_", 30, SCHEDULED - 1);
    const handler = createScheduledHandler([
      deleteOlderThan({ name: "probe_big_expired", table: "probe_big", column: "expires_at" }),
      deleteOlderThan({ name: "probe_small_expired", table: "probe_small", column: "expires_at" }),
    ]);
    vi.spyOn(console, "log").mockImplementation(() => {});
    await runScheduled(handler, budget(100, 4));
    expect(await count(db, "probe_small")).toBe(0);
    expect(await count(db, "probe_big")).toBe(4700);
  });

  it("a failing step is logged, the other steps still run, and the invocation fails", async () => {
    const db = d1();
    await createProbeTable(db, "probe_d");
    await seed(db, "probe_d", "d_", 12, SCHEDULED - 1);
    const handler = createScheduledHandler([
      deleteOlderThan({ name: "missing_table", table: "no_such_table", column: "expires_at" }),
      deleteOlderThan({ name: "probe_d_expired", table: "probe_d", column: "expires_at" }),
    ]);
    const logs = vi.spyOn(console, "log").mockImplementation(() => {});
    const before = await scrape();
    await expect(runScheduled(handler, budget(1000, 10))).rejects.toThrow(
      "cleanup steps failed: missing_table",
    );
    expect(await count(db, "probe_d")).toBe(0);
    const lines = logs.mock.calls.map(([line]) => String(line));
    expect(
      lines.some((line) => line.includes('"msg":"cleanup step failed"') && line.includes("missing_table")),
    ).toBe(true);
    const after = await scrape();
    const failed = { outcome: "failed" };
    expect(
      total(after, "tokens_cleanup_runs_total", failed) - total(before, "tokens_cleanup_runs_total", failed),
    ).toBe(1);
  });

  it("the Worker's scheduled handler runs the registry and reports the run", async () => {
    const logs = vi.spyOn(console, "log").mockImplementation(() => {});
    await runScheduled(worker.scheduled, budget(1000, 40));
    const run = logs.mock.calls
      .map(([line]) => JSON.parse(String(line)) as Record<string, unknown>)
      .find((entry) => entry.msg === "cleanup run");
    expect(run).toMatchObject({ outcome: "complete", batches: CLEANUP_STEPS.length });
  });
});

describe("cron cleanup (PostgreSQL)", () => {
  it("deletes due rows in bounded batches over several runs, then finds nothing", async () => {
    const db = createPostgresDatabase(postgresUrl());
    const table = `probe_pg_${crypto.randomUUID().replace(/-/g, "").slice(0, 12)}`;
    try {
      await createProbeTable(db, table);
      await seed(db, table, "old_", 2500, SCHEDULED - 1);
      await seed(db, table, "new_", 100, SCHEDULED + 60_000);
      const handler = createScheduledHandler([
        deleteOlderThan({ name: "probe_pg", table, column: "expires_at" }),
      ]);
      vi.spyOn(console, "log").mockImplementation(() => {});
      const vars = { ...budget(1000, 2), DATABASE: "hyperdrive" };
      await runScheduled(handler, vars);
      expect(await count(db, table)).toBe(600);
      await runScheduled(handler, vars);
      await runScheduled(handler, vars);
      expect(await count(db, table)).toBe(100);
      expect(await count(db, table, sql`id LIKE 'old_%'`)).toBe(0);
    } finally {
      await db.run(sql`DROP TABLE IF EXISTS ${sql.identifier(table)}`);
    }
  });
});
