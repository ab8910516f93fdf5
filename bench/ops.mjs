// `npm run bench:ops`: the cost of the operations layer, measured on `wrangler dev` (workerd, local
// Durable Objects and D1) with wrk.
//
// 1. Per-request cost of metrics recording and of the rate-limit check: bench/ops-worker.ts serves
//    /plain, /metered (+ httpMetrics: record, then flush to a MetricsShard with waitUntil) and
//    /limited (+ rateLimit: one RateLimiter Durable Object call), identical otherwise. Printed as
//    ratios to /plain from the same run, at one connection (latency) and at --connections
//    (throughput), averaged over two rounds in mirrored order; /plain's spread shows the noise.
// 2. Cron cleanup throughput: --rows expired rows in a bench table, then /__scheduled until the
//    table is empty, at the default budget and at a larger batch size; rows/s over the summed
//    invocation times.
//
// Flags that keep wrangler's own tracing and logging out of the numbers (ARCHITECTURE.md);
// secrets generated into a temp env file (a developer's .dev.vars is never read or touched); each
// server is stopped through the process group this script started.
//
// usage: npm run bench:ops -- [--duration 8] [--warmup 2] [--connections 8] [--rows 100000]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { generateDevSecrets, toDotenv } from "../scripts/dev-secrets.mjs";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "8" },
    warmup: { type: "string", default: "2" },
    connections: { type: "string", default: "8" },
    rows: { type: "string", default: "100000" },
  },
});
const options = {
  duration: bounded("duration", values.duration, 1, 120),
  warmup: bounded("warmup", values.warmup, 0, 60),
  connections: bounded("connections", values.connections, 1, 128),
  rows: bounded("rows", values.rows, 1000, 2_000_000),
};

const env = {
  ...process.env,
  PATH: `${join(ROOT, "node_modules", ".bin")}:${process.env.PATH}`,
  WRANGLER_SEND_METRICS: "false",
  X_LOCAL_OBSERVABILITY: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
};
const workDir = mkdtempSync(join(tmpdir(), "edge-auth-bench-ops-"));
const secretsFile = join(workDir, "secrets.env");
writeFileSync(secretsFile, toDotenv(generateDevSecrets()), { mode: 0o600 });
let server;

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    server?.stop().finally(() => {
      rmSync(workDir, { recursive: true, force: true });
      process.exit(130);
    });
  });
}

let failed = false;
try {
  await requestCosts();
  await cleanupThroughput();
} catch (error) {
  failed = true;
  console.error(error instanceof Error ? error.message : error);
} finally {
  await server?.stop();
  rmSync(workDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);

async function requestCosts() {
  // A limit no bench run can reach: every /limited request pays the full check and is allowed.
  server = await startWrangler("requests", ["--var", "RATE_LIMIT_REGISTER_IP:9999999/1s"]);
  console.log(
    `wrangler dev ${server.url} (bench/ops-worker.ts); wrk ${options.duration} s per run after ${options.warmup} s warm-up`,
  );
  const routes = ["/plain", "/metered", "/limited"];
  for (const path of routes)
    if (options.warmup > 0) await wrk(`${server.url}${path}`, options.connections, options.warmup);
  // Two rounds in mirrored order (A B C, then C B A), averaged per route: a machine that slows down
  // or speeds up steadily during the run weighs on every route alike. The spread of /plain between
  // its two runs is printed as the run's noise.
  const runs = new Map(routes.map((path) => [path, []]));
  for (const path of [...routes, ...[...routes].reverse()]) {
    const url = `${server.url}${path}`;
    runs.get(path).push({
      single: await wrk(url, 1, options.duration),
      loaded: await wrk(url, options.connections, options.duration),
    });
  }
  await server.stop();
  server = undefined;

  const mean = (path, pick) =>
    runs.get(path).reduce((sum, run) => sum + pick(run), 0) / runs.get(path).length;
  const measure = (path) => ({
    p50: mean(path, (run) => run.single.p50Ms),
    rps1: mean(path, (run) => run.single.rps),
    rpsN: mean(path, (run) => run.loaded.rps),
    p99N: mean(path, (run) => run.loaded.p99Ms),
  });
  const base = measure("/plain");
  const rows = routes.map((path) => {
    const m = measure(path);
    return [
      path,
      `${m.p50.toFixed(3)} ms`,
      (m.p50 / base.p50).toFixed(2),
      m.rps1.toFixed(0),
      (base.rps1 / m.rps1).toFixed(2),
      m.rpsN.toFixed(0),
      (base.rpsN / m.rpsN).toFixed(2),
      `${m.p99N.toFixed(2)} ms`,
    ];
  });
  const [first, second] = runs.get("/plain");
  const spread = (a, b) => `${((Math.abs(a - b) / Math.min(a, b)) * 100).toFixed(0)} %`;
  console.log("\nPer-request cost, mean of two rounds (ratio and cost = route / plain; > 1 is slower)");
  printTable(
    [
      "route",
      "p50 c=1",
      "ratio",
      "req/s c=1",
      "cost",
      `req/s c=${options.connections}`,
      "cost",
      "p99 loaded",
    ],
    rows,
  );
  console.log(
    `noise: /plain differed by ${spread(first.single.p50Ms, second.single.p50Ms)} (p50 c=1) and ` +
      `${spread(first.loaded.rps, second.loaded.rps)} (req/s c=${options.connections}) between its two runs`,
  );
}

async function cleanupThroughput() {
  console.log(`\nCron cleanup of ${options.rows} expired rows (bench_expired, indexed expires_at)`);
  const results = [];
  for (const [batchSize, maxBatches] of [
    [1000, 40],
    [5000, 40],
  ]) {
    const persist = join(workDir, `cleanup-${batchSize}`);
    await run("wrangler", [
      ...["d1", "execute", "DB", "--local", "--persist-to", persist, "--command"],
      "CREATE TABLE bench_expired (id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL); " +
        "CREATE INDEX bench_expired_expires_at ON bench_expired (expires_at); " +
        "INSERT INTO bench_expired (id, expires_at) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 " +
        `FROM n WHERE i < ${options.rows}) SELECT 'row_' || i, 1000 FROM n;`,
    ]);
    server = await startWrangler(
      "cleanup",
      [
        "--test-scheduled",
        ...["--var", `CLEANUP_BATCH_SIZE:${batchSize}`, "--var", `CLEANUP_MAX_BATCHES:${maxBatches}`],
      ],
      persist,
    );
    if ((await rowCount()) !== options.rows) throw new Error("the bench table was not seeded");
    const invocations = [];
    while ((await rowCount()) > 0) {
      if (invocations.length >= 100) throw new Error("cleanup made no progress");
      const started = performance.now();
      const response = await fetch(`${server.url}/__scheduled?cron=*/15+*+*+*+*`);
      await response.text();
      if (!response.ok) throw new Error(`scheduled run failed: ${response.status}`);
      invocations.push(performance.now() - started);
    }
    await server.stop();
    server = undefined;
    const seconds = invocations.reduce((sum, ms) => sum + ms, 0) / 1000;
    results.push([
      `${batchSize} x ${maxBatches}`,
      String(invocations.length),
      `${(Math.max(...invocations) / 1000).toFixed(2)} s`,
      `${seconds.toFixed(2)} s`,
      `${Math.round(options.rows / seconds)}`,
    ]);
  }
  printTable(["batch x max batches", "invocations", "longest", "total", "rows/s"], results);
}

async function rowCount() {
  const response = await fetch(`${server.url}/rows`);
  if (!response.ok) throw new Error(`/rows answered ${response.status}`);
  return (await response.json()).rows;
}

/** Starts `wrangler dev` on a free port in its own process group, and waits until it answers. */
async function startWrangler(name, extraArgs, persist = join(workDir, name)) {
  const port = await freePort();
  const args = [
    ...[
      "dev",
      "bench/ops-worker.ts",
      "--config",
      "wrangler.toml",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
    ],
    ...["--persist-to", persist, "--env-file", secretsFile, "--log-level", "warn"],
    ...["--show-interactive-dev-session=false", "--var", "LOG_LEVEL:warn", ...extraArgs],
  ];
  const child = spawn("wrangler", args, {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(-child.pid, "SIGTERM");
    const timer = setTimeout(() => child.exitCode === null && process.kill(-child.pid, "SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited: ${stderr}`);
    try {
      if ((await fetch(`${url}/plain`)).ok) return { url, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not answer within 90 s: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function wrk(url, connections, seconds) {
  const threads = Math.min(2, connections);
  const args = [
    "-t",
    String(threads),
    "-c",
    String(connections),
    "-d",
    `${seconds}s`,
    "--timeout",
    "5s",
    "--latency",
    url,
  ];
  const output = await run("wrk", args);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  const errors = /Socket errors: (.*)/.exec(output);
  if (non2xx || errors) throw new Error(`${url}: ${non2xx?.[0] ?? errors?.[0]}`);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(output)[1]),
    p50Ms: duration(/\s50%\s+([\d.]+\w+)/.exec(output)[1]),
    p99Ms: duration(/\s99%\s+([\d.]+\w+)/.exec(output)[1]),
  };
}

function duration(text) {
  const [, value, unit] = /([\d.]+)(\w+)/.exec(text);
  return Number(value) * { us: 0.001, ms: 1, s: 1000, m: 60_000 }[unit];
}

function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${command} exited ${code}:\n${output}`)),
    );
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function printTable(header, rows) {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells) => cells.map((cell, column) => cell.padEnd(widths[column])).join("  ");
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

function bounded(name, text, min, max) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`--${name} must be an integer from ${min} to ${max}, got ${text}`);
    process.exit(2);
  }
  return value;
}
