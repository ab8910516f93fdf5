// The ops suite: what the operations layer costs, on bench/ops-worker.ts under `wrangler dev`.
//
// 1. Per request: /metered (+ httpMetrics: record, then flush to a MetricsShard with waitUntil) and
//    /limited (+ rateLimit: one RateLimiter Durable Object call) against /healthz, the same route
//    without either; at one connection (latency) and at --connections (throughput), each the mean
//    of two runs in mirrored order; then /limited against /healthz in short alternating runs (the
//    median of per-cycle ratios), which a shared machine's changing load distorts far less.
// 2. Cron cleanup throughput: --rows expired rows in a bench table, then /__scheduled until the
//    table is empty, at the default budget and at a larger batch size; rows/s over the summed
//    invocation times.
import { join } from "node:path";
import { printMeasurement, printTable } from "./harness.mjs";

const ENTRY = "bench/ops-worker.ts";
const scenarios = [
  { name: "GET /healthz (baseline)", path: "/healthz" },
  { name: "GET /metered (+ HTTP metrics)", path: "/metered" },
  { name: "GET /limited (+ one rate-limit check)", path: "/limited" },
];
// A limit no bench run can reach: every /limited request pays the full check and is allowed.
// LOG_LEVEL=warn: the app's own per-request log line would weigh alike on every route and hide the
// middleware's cost.
const REQUEST_VARS = { RATE_LIMIT_REGISTER_IP: "9999999/1s", LOG_LEVEL: "warn" };
/** [CLEANUP_BATCH_SIZE, CLEANUP_MAX_BATCHES]: the defaults (wrangler.toml), then larger batches. */
const CLEANUP_BUDGETS = [
  [1000, 40],
  [5000, 40],
];

export const title = "ops: metrics and rate-limit cost, cron cleanup throughput (bench/ops-worker.ts)";

/** Runs the suite on `bench` (bench/harness.mjs), printing its tables. */
export async function run(bench) {
  console.log(`\n${title}`);
  const worker = await bench.startWorker({ name: "ops", entry: ENTRY, vars: REQUEST_VARS });
  const measurements = [];
  const paired = [];
  try {
    for (const connections of [1, bench.options.connections]) {
      measurements.push(await bench.measure(worker.url, scenarios, { rounds: 2, connections }));
    }
    for (const connections of [1, bench.options.connections]) {
      paired.push(await bench.measurePaired(worker.url, scenarios[0], scenarios[2], { connections }));
    }
  } finally {
    await worker.stop();
  }
  for (const measurement of measurements) printMeasurement("ops, per-request cost", measurement);
  console.log(
    "\nops, /limited vs /healthz paired (2 s runs: base, limited, limited, base; per-cycle ratios)",
  );
  printTable(
    ["connections", "cycles", "median req/s vs base", "lowest", "highest"],
    paired.map((row) => [
      String(row.connections),
      String(row.cycles),
      row.median.toFixed(2),
      row.lowest.toFixed(2),
      row.highest.toFixed(2),
    ]),
  );
  await cleanupThroughput(bench);
}

async function cleanupThroughput(bench) {
  const { rows } = bench.options;
  const results = [];
  for (const [batchSize, maxBatches] of CLEANUP_BUDGETS) {
    const state = join(bench.workDir, `cleanup-${batchSize}`);
    await bench.run("wrangler", [
      ...["d1", "execute", "DB", "--local", "--persist-to", state, "--command"],
      "CREATE TABLE bench_expired (id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL); " +
        "CREATE INDEX bench_expired_expires_at ON bench_expired (expires_at); " +
        "INSERT INTO bench_expired (id, expires_at) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 " +
        `FROM n WHERE i < ${rows}) SELECT 'row_' || i, 1000 FROM n;`,
    ]);
    const worker = await bench.startWorker({
      name: `cleanup-${batchSize}`,
      entry: ENTRY,
      state,
      vars: {
        CLEANUP_BATCH_SIZE: String(batchSize),
        CLEANUP_MAX_BATCHES: String(maxBatches),
        LOG_LEVEL: "warn",
      },
      args: ["--test-scheduled"],
    });
    const invocations = [];
    try {
      if ((await rowCount(worker.url)) !== rows) throw new Error("the bench table was not seeded");
      while ((await rowCount(worker.url)) > 0) {
        if (invocations.length >= 100) throw new Error("cleanup made no progress");
        const started = performance.now();
        const response = await fetch(`${worker.url}/__scheduled?cron=*/15+*+*+*+*`);
        await response.text();
        if (!response.ok) throw new Error(`scheduled run failed: ${response.status}`);
        invocations.push(performance.now() - started);
      }
    } finally {
      await worker.stop();
    }
    const seconds = invocations.reduce((sum, ms) => sum + ms, 0) / 1000;
    results.push([
      `${batchSize} x ${maxBatches}`,
      String(invocations.length),
      `${(Math.max(...invocations) / 1000).toFixed(2)} s`,
      `${seconds.toFixed(2)} s`,
      String(Math.round(rows / seconds)),
    ]);
  }
  console.log(`\nops, cron cleanup of ${rows} expired rows (bench_expired, indexed expires_at)`);
  printTable(["batch x max batches", "invocations", "longest", "total", "rows/s"], results);
}

async function rowCount(url) {
  const response = await fetch(`${url}/rows`);
  if (!response.ok) throw new Error(`/rows answered ${response.status}`);
  return (await response.json()).rows;
}
