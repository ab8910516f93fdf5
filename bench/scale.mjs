// The scale suite: do the hot paths stay flat as the tables grow? Two local D1 databases are seeded
// (bench/scale-seed.mjs): 10,000 rows a table (1,000 users) and --rows a table (default 1,000,000,
// with 100,000 users) of refresh tokens, audit rows, API tokens and invites. A Worker runs on each
// (`wrangler dev`, side by side) and every scenario alternates short wrk runs between them, so a
// change in the shared machine's load weighs on both sizes alike; the suite prints large ÷ small of
// p50 latency (target ≤ 1.2) and of req/s (target ≥ 1/1.2), median of the cycles, with /healthz
// (no storage) as the control: its ratio is what the two Workers differ by without data.
//
// Every request reads the database: AUTH_CACHE_SECONDS=0 turns off the per-isolate credential
// cache, which would otherwise serve /auth/me and API tokens from memory whatever the table size.
//
// Then the cron cleanup at each size: the cron is called through miniflare's
// `/cdn-cgi/handler/scheduled` (wrangler dev --test-scheduled) with its clock 200 days ahead, when every seeded refresh token, every API token
// with an expiry and every invite is due, for at most CLEANUP_SECONDS; rows/s is the rows the
// steps removed or expired (counted in the file before and after) over the summed invocation times.
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { refreshScript } from "./accounts.mjs";
import { postJson, printTable } from "./harness.mjs";
import { d1FileOf, seedScale } from "./scale-seed.mjs";

/** Rows a table when `--rows` is not given. */
export const defaultRows = 1_000_000;
const SMALL_ROWS = 10_000;
const ENTRY = "bench/auth-worker.ts";
const GENEROUS = "9999999/1s";
const VARS = {
  LOG_LEVEL: "warn",
  AUTH_CACHE_SECONDS: "0",
  ACCESS_TOKEN_TTL: "3600",
  RATE_LIMIT_LOGIN_IP: GENEROUS,
  RATE_LIMIT_LOGIN_IDENTIFIER: GENEROUS,
  RATE_LIMIT_LOGIN_IDENTIFIER_CLIENT: GENEROUS,
  RATE_LIMIT_REFRESH_IP: GENEROUS,
  RATE_LIMIT_INVITES_VALIDATE_IP: GENEROUS,
};
const CLEANUP_SECONDS = 30;
const CLEANUP_CLOCK_AHEAD_MS = 200 * 86_400_000;
/** What the cleanup can change: [label, the SQL that counts the rows still due 200 days ahead]. */
const DUE_ROWS = [
  ["refresh_tokens deleted", "SELECT COUNT(*) AS n FROM refresh_tokens"],
  ["api_tokens deleted", "SELECT COUNT(*) AS n FROM api_tokens WHERE expires_at IS NOT NULL"],
  ["invites expired", "SELECT COUNT(*) AS n FROM invites WHERE estado = 'novo'"],
];
const TARGET = 1.2;
const CYCLES = 4;
const RUN_SECONDS = 2;

export const title = "scale: hot paths at 10k rows and at --rows rows a table, cron cleanup at that size";

/** Runs the suite on `bench` (bench/harness.mjs), printing its tables. */
export async function run(bench) {
  const sizes = [...new Set([SMALL_ROWS, bench.options.rows])];
  console.log(`\n${title} (${sizes.join(" and ")} rows; AUTH_CACHE_SECONDS=0: every request reads D1)`);
  const databases = [];
  for (const rows of sizes) {
    const state = join(bench.workDir, `scale-${rows}`);
    await bench.run("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", state]);
    const started = performance.now();
    const seeded = await seedScale(state, { rows });
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `seeded ${rows} rows a table, ${seeded.users} users in ${seconds.toFixed(0)} s (` +
        `${Object.entries(seeded.timings)
          .map(([table, time]) => `${table} ${time.toFixed(1)} s`)
          .join(", ")})`,
    );
    databases.push({ rows, state, seeded });
  }
  const comparison = await compareRequests(bench, databases[0], databases.at(-1));
  const cleanups = [];
  for (const database of databases)
    cleanups.push({ rows: database.rows, ...(await measureCleanup(bench, database)) });
  printComparison(databases[0].rows, databases.at(-1).rows, comparison);
  printCleanup(cleanups);
}

/**
 * Both Workers run side by side; each scenario alternates short runs on the small and the large
 * database (small, large, large, small; CYCLES times after a warm-up run of each), so a change in
 * the machine's load weighs on both sizes alike. Per cycle: large ÷ small for p50 and for req/s.
 */
async function compareRequests(bench, small, large) {
  const workers = [];
  try {
    for (const database of small === large ? [small] : [small, large]) {
      const worker = await bench.startWorker({
        name: `scale-${database.rows}`,
        entry: ENTRY,
        state: database.state,
        vars: VARS,
      });
      workers.push({ worker, scenarios: await scenariosOn(worker.url, database.seeded) });
    }
    const [a, b = a] = workers;
    const rows = [];
    for (let index = 0; index < a.scenarios.length; index++) {
      const { connections = bench.options.connections, seconds = RUN_SECONDS } = a.scenarios[index];
      const settings = { threads: Math.min(bench.options.threads, connections), connections };
      const runOn = (side) => bench.wrk(side.worker.url, side.scenarios[index], settings, seconds);
      await runOn(a);
      await runOn(b);
      const cycles = [];
      for (let cycle = 0; cycle < CYCLES; cycle++) {
        const smallRuns = [await runOn(a)];
        const largeRuns = [await runOn(b), await runOn(b)];
        smallRuns.push(await runOn(a));
        cycles.push({ small: meanOf(smallRuns), large: meanOf(largeRuns) });
      }
      rows.push({ name: a.scenarios[index].name, cycles });
    }
    return rows;
  } finally {
    for (const { worker } of workers) await worker.stop();
  }
}

/** The scenarios on one Worker, with credentials of its seeded data; the first is the baseline. */
async function scenariosOn(url, seeded) {
  const credentials = { identifier: seeded.username, password: seeded.password };
  const { accessToken } = await postJson(url, "/auth/login", credentials);
  return [
    { name: "GET /healthz (baseline)", path: "/healthz" },
    // Argon2id runs one at a time in the isolate: at 8 connections on a loaded machine a login can
    // wait longer than a short run lasts. Two connections, longer runs; the lookup is what varies.
    {
      name: "POST /auth/login (2 connections, 5 s runs)",
      path: "/auth/login",
      method: "POST",
      body: credentials,
      connections: 2,
      seconds: 5,
    },
    {
      name: "POST /auth/refresh",
      path: "/auth/refresh",
      script: (wrk) => refreshScript(url, wrk, credentials),
    },
    { name: "GET /auth/me", path: "/auth/me", headers: { authorization: `Bearer ${accessToken}` } },
    {
      name: "API-token authentication",
      path: "/bench/authenticated",
      headers: { authorization: `Bearer ${seeded.apiToken}` },
    },
    { name: "invite validation", path: `/api/tokens/validate/?codigo=${seeded.inviteCode}` },
  ];
}

function meanOf(runs) {
  const mean = (key) => runs.reduce((sum, run) => sum + run[key], 0) / runs.length;
  return { requestsPerSecond: mean("requestsPerSecond"), p50Ms: mean("p50Ms") };
}

async function measureCleanup(bench, { rows, state }) {
  const before = dueRows(state);
  const worker = await bench.startWorker({
    name: `scale-cleanup-${rows}`,
    state,
    vars: { LOG_LEVEL: "warn" },
    args: ["--test-scheduled"],
  });
  const invocations = [];
  try {
    const time = Date.now() + CLEANUP_CLOCK_AHEAD_MS;
    // A run changes up to 40 statements of 1,000 rows (wrangler.toml), fewer while other steps
    // take their turn: at 20,000 a run, everything due is surely done after this many.
    const enough = Math.ceil(before.reduce((sum, [, n]) => sum + n, 0) / 20_000) + 1;
    let spent = 0;
    while (spent < CLEANUP_SECONDS * 1000 && invocations.length < enough) {
      const started = performance.now();
      // Miniflare's trigger (wrangler's /__scheduled passes no time); it answers 500 if the run threw.
      const response = await fetch(`${worker.url}/cdn-cgi/handler/scheduled?cron=*/15+*+*+*+*&time=${time}`);
      const outcome = await response.text();
      if (!response.ok) throw new Error(`scheduled run failed: ${response.status} ${outcome}`);
      invocations.push(performance.now() - started);
      spent += invocations.at(-1);
    }
  } finally {
    await worker.stop();
  }
  const after = dueRows(state);
  const changed = before.map(([label, n], i) => [label, n - after[i][1]]);
  const total = changed.reduce((sum, [, n]) => sum + n, 0);
  const seconds = invocations.reduce((sum, ms) => sum + ms, 0) / 1000;
  return { invocations: invocations.length, seconds, changed, total, rowsPerSecond: total / seconds };
}

function dueRows(state) {
  const db = new DatabaseSync(d1FileOf(state));
  try {
    return DUE_ROWS.map(([label, query]) => [label, Number(db.prepare(query).get().n)]);
  } finally {
    db.close();
  }
}

function median(values) {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function printComparison(smallRows, largeRows, comparison) {
  console.log(
    `\nscale, ${largeRows} ÷ ${smallRows} rows a table, ${CYCLES} paired cycles of ${RUN_SECONDS} s runs ` +
      `(targets: p50 ratio ≤ ${TARGET}, req/s ratio ≥ ${(1 / TARGET).toFixed(2)}; median [lowest, highest] of the cycles)`,
  );
  printTable(
    ["scenario", `req/s ${smallRows}`, `req/s ${largeRows}`, "p50 ratio", "req/s ratio", "met"],
    comparison.map(({ name, cycles }) => {
      const latency = cycles.map((cycle) => cycle.large.p50Ms / cycle.small.p50Ms);
      const throughput = cycles.map((cycle) => cycle.large.requestsPerSecond / cycle.small.requestsPerSecond);
      const spread = (list) =>
        `${median(list).toFixed(2)} [${Math.min(...list).toFixed(2)}, ${Math.max(...list).toFixed(2)}]`;
      return [
        name,
        median(cycles.map((cycle) => cycle.small.requestsPerSecond)).toFixed(0),
        median(cycles.map((cycle) => cycle.large.requestsPerSecond)).toFixed(0),
        spread(latency),
        spread(throughput),
        median(latency) <= TARGET || median(throughput) >= 1 / TARGET ? "yes" : "no",
      ];
    }),
  );
}

function printCleanup(cleanups) {
  console.log(`\nscale, cron cleanup with its clock 200 days ahead (at most ${CLEANUP_SECONDS} s of runs)`);
  printTable(
    ["rows a table", "invocations", "total s", "rows changed", "rows/s", "by step"],
    cleanups.map((cleanup) => [
      String(cleanup.rows),
      String(cleanup.invocations),
      cleanup.seconds.toFixed(1),
      String(cleanup.total),
      cleanup.rowsPerSecond.toFixed(0),
      cleanup.changed.map(([label, n]) => `${label} ${n}`).join(", "),
    ]),
  );
}
