// `npm run bench`: starts the Worker with `wrangler dev` on a free loopback port (its own temp state
// and generated secrets; the flags that keep wrangler's tracing and logging out of the numbers, see
// ARCHITECTURE.md), drives every scenario of bench/scenarios.mjs with wrk for a bounded time, and
// prints req/s and p50/p99 latency as ratios to the baseline measured in the same run. Then prints
// the Argon2id cost per hash measured inside workerd (test/unit/password-cost.test.ts).
//
// usage: npm run bench -- [--duration 10] [--warmup 2] [--connections 8] [--threads 1] [--skip-argon2]
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { generateDevSecrets, toDotenv } from "../scripts/dev-secrets.mjs";
import { freePort, startLocalWorker, withProjectBin } from "../scripts/local-worker.mjs";
import { scenarios } from "./scenarios.mjs";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const REPORT_LUA = readFileSync(join(ROOT, "bench", "wrk-report.lua"), "utf8");
const MAX_SECONDS = 300;

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    warmup: { type: "string", default: "2" },
    connections: { type: "string", default: "8" },
    threads: { type: "string", default: "1" },
    "skip-argon2": { type: "boolean", default: false },
  },
});
const options = {
  duration: boundedInteger("duration", values.duration, 1, MAX_SECONDS),
  warmup: boundedInteger("warmup", values.warmup, 0, MAX_SECONDS),
  connections: boundedInteger("connections", values.connections, 1, 256),
  threads: boundedInteger("threads", values.threads, 1, 16),
};

const env = {
  ...withProjectBin(process.env),
  WRANGLER_SEND_METRICS: "false",
  X_LOCAL_OBSERVABILITY: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
};
const workDir = mkdtempSync(join(tmpdir(), "edge-auth-bench-"));
const running = new Set();
let worker;
let interrupted = false;

async function cleanUp() {
  for (const child of running) child.kill("SIGTERM");
  await worker?.stop();
  rmSync(workDir, { recursive: true, force: true });
}

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    interrupted = true;
    console.error(`\n${signal}: stopping the Worker`);
    cleanUp().finally(() => process.exit(130));
  });
}

let failed = false;
try {
  const secretsFile = join(workDir, "secrets.env");
  // A temp env file rather than .dev.vars: a developer's own .dev.vars is neither read nor touched.
  writeFileSync(secretsFile, toDotenv(generateDevSecrets()), { mode: 0o600 });
  await mustRun("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", workDir]);

  const port = await freePort();
  worker = await startLocalWorker({
    command: "wrangler",
    args: [
      "dev",
      ...["--ip", "127.0.0.1", "--port", String(port), "--persist-to", workDir],
      ...["--env-file", secretsFile, "--log-level", "warn"],
    ],
    env,
    url: `http://127.0.0.1:${port}`,
  });

  console.log(
    `wrangler dev on ${worker.url}; wrk ${options.threads} thread(s), ${options.connections} connections, ` +
      `${options.duration} s per scenario after ${options.warmup} s of warm-up`,
  );
  const results = [];
  // The baseline runs again last: how far its ratio lands from 1.00 shows how noisy the machine was.
  const again = { ...scenarios[0], name: `${scenarios[0].name}, again` };
  for (const scenario of [...scenarios, again]) {
    const script = join(workDir, "scenario.lua");
    writeFileSync(script, wrkScript(scenario));
    if (options.warmup > 0) await wrk(`${worker.url}${scenario.path}`, script, options.warmup);
    const result = await wrk(`${worker.url}${scenario.path}`, script, options.duration);
    results.push({ scenario, ...result });
  }
  printTable(results);
  const withErrors = results.filter((result) => result.errors > 0);
  for (const { scenario, errorDetail } of withErrors) console.error(`${scenario.name}: ${errorDetail}`);
  failed = withErrors.length > 0;
} catch (error) {
  failed = true;
  // After SIGINT the children were stopped on purpose: their failures are not news.
  if (!interrupted) console.error(error instanceof Error ? error.message : error);
} finally {
  await cleanUp();
}

if (!values["skip-argon2"]) failed = !(await argon2Cost()) || failed;
process.exit(failed ? 1 : 0);

function boundedInteger(name, text, min, max) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`--${name} must be an integer from ${min} to ${max}, got ${text}`);
    process.exit(2);
  }
  return value;
}

/** The scenario's request (method, headers, JSON body) as wrk Lua, followed by the reporter. */
function wrkScript({ method, headers = {}, body }) {
  const lines = [];
  if (method) lines.push(`wrk.method = ${luaString(method)}`);
  for (const [name, value] of Object.entries(headers)) {
    lines.push(`wrk.headers[${luaString(name)}] = ${luaString(value)}`);
  }
  if (body !== undefined) {
    lines.push(`wrk.headers["Content-Type"] = "application/json"`);
    lines.push(`wrk.body = ${luaString(JSON.stringify(body))}`);
  }
  return [...lines, REPORT_LUA].join("\n");
}

/** A Lua long-bracket string, with a level of `=` that the text itself does not close. */
function luaString(text) {
  let level = "";
  while (text.includes(`]${level}]`)) level += "=";
  return `[${level}[${text}]${level}]`;
}

async function wrk(url, script, seconds) {
  const args = ["-t", String(options.threads), "-c", String(options.connections), "-d", `${seconds}s`];
  const { output } = await mustRun("wrk", [...args, "--timeout", "5s", "-s", script, url]);
  const line = output.split("\n").find((text) => text.startsWith("BENCH_RESULT "));
  if (!line) throw new Error(`wrk printed no result:\n${output}`);
  const raw = JSON.parse(line.slice("BENCH_RESULT ".length));
  const socketErrors = raw.connectErrors + raw.readErrors + raw.writeErrors + raw.timeouts;
  return {
    requestsPerSecond: raw.requests / (raw.durationUs / 1e6),
    p50Ms: raw.p50Us / 1000,
    p99Ms: raw.p99Us / 1000,
    errors: socketErrors + raw.httpErrors,
    errorDetail: `${raw.httpErrors} responses >= 400, ${socketErrors} socket errors/timeouts of ${raw.requests}`,
  };
}

function printTable(results) {
  const [baseline] = results;
  const rows = results.map(({ scenario, requestsPerSecond, p50Ms, p99Ms }) => [
    scenario.name,
    requestsPerSecond.toFixed(0),
    p50Ms.toFixed(2),
    p99Ms.toFixed(2),
    (requestsPerSecond / baseline.requestsPerSecond).toFixed(2),
    (p50Ms / baseline.p50Ms).toFixed(2),
  ]);
  const header = ["scenario", "req/s", "p50 ms", "p99 ms", "req/s vs base", "p50 vs base"];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
  for (const row of [header, ...rows]) {
    console.log(
      row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  "),
    );
  }
}

/** Runs test/unit/password-cost.test.ts in workerd and prints its measurement; false on failure. */
async function argon2Cost() {
  const test = "test/unit/password-cost.test.ts";
  const result = await run("vitest", ["run", "--project", "workers", test]);
  const line = result.output.match(/argon2id m=.*$/m)?.[0];
  if (result.code !== 0 || !line) {
    console.error(`${test} failed:\n${result.output}`);
    return false;
  }
  console.log(line);
  return true;
}

async function mustRun(command, args) {
  const result = await run(command, args);
  if (result.code !== 0)
    throw new Error(`${command} ${args.join(" ")} failed (${result.code}):\n${result.output}`);
  return result;
}

function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    running.add(child);
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.once("error", reject);
    child.once("close", (code, signal) => {
      running.delete(child);
      resolve({ code: code ?? signal, output });
    });
  });
}
