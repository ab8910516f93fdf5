// What every bench suite shares: a Worker under `wrangler dev` (scripts/local-worker.mjs) with its
// own temp state and generated secrets, wrk with the Lua reporter (req/s, p50, p99), and a table of
// ratios to a baseline measured in the same run.
//
// `wrangler dev` runs with the settings ARCHITECTURE.md gives for benches: its request tracing,
// request logging, metrics and cf fetch off, so they do not weigh on the numbers.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateDevSecrets, toDotenv } from "../scripts/dev-secrets.mjs";
import { freePort, startLocalWorker, withProjectBin } from "../scripts/local-worker.mjs";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const REPORT_LUA = readFileSync(join(ROOT, "bench", "wrk-report.lua"), "utf8");
const ENV = {
  ...withProjectBin(process.env),
  WRANGLER_SEND_METRICS: "false",
  X_LOCAL_OBSERVABILITY: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  NO_COLOR: "1",
};

/**
 * One bench run: a temp directory, the Workers and child processes it started, and the wrk
 * settings (`duration`, `warmup` in seconds, `connections`, `threads`). `close()` stops them all.
 */
export class Bench {
  constructor(options) {
    this.options = options;
    this.workDir = mkdtempSync(join(tmpdir(), "edge-auth-bench-"));
    this.workers = new Set();
    this.children = new Set();
  }

  /**
   * Starts `wrangler dev` for `entry` (default wrangler.toml's `main`, src/index.ts) on a free
   * loopback port and resolves once GET /healthz answers. `vars` override wrangler.toml [vars]
   * through the generated env file, next to the secrets; `state` is the --persist-to directory
   * (migrations are applied to it first); `args` are extra `wrangler dev` flags; `config` is the
   * wrangler configuration an `entry` runs with (a bench Worker with bindings of its own).
   */
  async startWorker({
    name,
    entry,
    config = "wrangler.toml",
    vars = {},
    state = join(this.workDir, name),
    args = [],
  }) {
    mkdirSync(state, { recursive: true });
    const envFile = join(this.workDir, `${name}.env`);
    // A temp env file rather than .dev.vars: a developer's own .dev.vars is neither read nor touched.
    writeFileSync(envFile, toDotenv({ ...generateDevSecrets(), ...vars }), { mode: 0o600 });
    await this.run("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", state]);
    const port = await freePort();
    const worker = await startLocalWorker({
      command: "wrangler",
      args: [
        "dev",
        ...(entry ? [entry, "--config", config] : []),
        ...["--ip", "127.0.0.1", "--port", String(port), "--persist-to", state],
        ...["--env-file", envFile, "--log-level", "warn", "--show-interactive-dev-session=false"],
        ...args,
      ],
      env: ENV,
      url: `http://127.0.0.1:${port}`,
    });
    this.workers.add(worker);
    return {
      url: worker.url,
      stop: async () => {
        this.workers.delete(worker);
        await worker.stop();
      },
    };
  }

  /**
   * Drives each scenario against `url` with wrk and returns one row per scenario (the first is the
   * baseline). Runs go in order, then in reverse order for `rounds: 2` (a machine that speeds up or
   * slows down steadily weighs on every scenario alike), and end with the baseline again if the
   * order did not; each row is the mean of its runs. `noise` is how far the baseline's first and
   * last runs differ in req/s.
   */
  async measure(url, scenarios, { rounds = 1, connections = this.options.connections } = {}) {
    const order = rounds === 2 ? [...scenarios, ...[...scenarios].reverse()] : [...scenarios];
    if (order.at(-1) !== scenarios[0]) order.push(scenarios[0]);
    const runs = new Map(scenarios.map((scenario) => [scenario, []]));
    for (const scenario of order) {
      const settings = { threads: Math.min(this.options.threads, connections), connections };
      if (this.options.warmup > 0) await this.wrk(url, scenario, settings, this.options.warmup);
      runs.get(scenario).push(await this.wrk(url, scenario, settings, this.options.duration));
    }
    const mean = (list, key) => list.reduce((sum, run) => sum + run[key], 0) / list.length;
    const rows = scenarios.map((scenario) => ({
      name: scenario.name,
      requestsPerSecond: mean(runs.get(scenario), "requestsPerSecond"),
      p50Ms: mean(runs.get(scenario), "p50Ms"),
      p99Ms: mean(runs.get(scenario), "p99Ms"),
    }));
    const baseline = runs.get(scenarios[0]).map((run) => run.requestsPerSecond);
    const noise = Math.abs(baseline[0] - baseline.at(-1)) / Math.min(baseline[0], baseline.at(-1));
    return { rows, noise, connections, runsPerRow: rounds === 2 ? 2 : 1 };
  }

  /**
   * `scenario` against `baseline` in short alternating runs (baseline, scenario, scenario,
   * baseline; `cycles` times, `seconds` each, after one warm-up run of each), so that load from
   * other processes on a shared machine weighs on both alike; `measure`'s long runs drift with it.
   * Returns the median, lowest and highest of the per-cycle req/s ratios.
   */
  async measurePaired(url, baseline, scenario, { cycles = 6, seconds = 2, connections } = {}) {
    const settings = { threads: Math.min(this.options.threads, connections), connections };
    const rate = async (which) => (await this.wrk(url, which, settings, seconds)).requestsPerSecond;
    await rate(baseline);
    await rate(scenario);
    const ratios = [];
    for (let cycle = 0; cycle < cycles; cycle++) {
      const before = await rate(baseline);
      const measured = (await rate(scenario)) + (await rate(scenario));
      ratios.push(measured / (before + (await rate(baseline))));
    }
    ratios.sort((a, b) => a - b);
    const middle = Math.floor(ratios.length / 2);
    const median = ratios.length % 2 ? ratios[middle] : (ratios[middle - 1] + ratios[middle]) / 2;
    return { median, lowest: ratios[0], highest: ratios.at(-1), connections, cycles };
  }

  /** One wrk run of `scenario` (see bench/scenarios.mjs); throws on any error response. */
  async wrk(url, scenario, { threads, connections }, seconds) {
    const script = join(this.workDir, "scenario.lua");
    const request = scenario.script
      ? await scenario.script({ url, threads, connections })
      : wrkRequest(scenario);
    writeFileSync(script, `${request}\n${REPORT_LUA}`);
    const args = ["-t", String(threads), "-c", String(connections), "-d", `${seconds}s`, "--timeout", "5s"];
    // A scenario may name a Worker of its own (`scenario.url`): paired runs across two Workers.
    const output = await this.run("wrk", [...args, "-s", script, `${scenario.url ?? url}${scenario.path}`]);
    const line = output.split("\n").find((text) => text.startsWith("BENCH_RESULT "));
    if (!line) throw new Error(`wrk printed no result for ${scenario.name}:\n${output}`);
    const raw = JSON.parse(line.slice("BENCH_RESULT ".length));
    const socketErrors = raw.connectErrors + raw.readErrors + raw.writeErrors + raw.timeouts;
    if (raw.requests === 0 || socketErrors + raw.httpErrors > 0) {
      throw new Error(
        `${scenario.name}: ${raw.httpErrors} responses >= 400, ${socketErrors} socket errors/timeouts ` +
          `of ${raw.requests} requests; wrk printed:\n${output.slice(-2000)}`,
      );
    }
    return {
      requestsPerSecond: raw.requests / (raw.durationUs / 1e6),
      p50Ms: raw.p50Us / 1000,
      p99Ms: raw.p99Us / 1000,
    };
  }

  /** Runs `command args` from the project root; resolves with its output, rejects if it fails. */
  run(command, args) {
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { cwd: ROOT, env: ENV, stdio: ["ignore", "pipe", "pipe"] });
      this.children.add(child);
      let output = "";
      child.stdout.on("data", (chunk) => (output += chunk));
      child.stderr.on("data", (chunk) => (output += chunk));
      child.once("error", reject);
      child.once("close", (code, signal) => {
        this.children.delete(child);
        if (code === 0) resolve(output);
        else reject(new Error(`${command} ${args.join(" ")} failed (${code ?? signal}):\n${output}`));
      });
    });
  }

  /** Stops every Worker and child process still running and removes the temp directory. */
  async close() {
    for (const child of this.children) child.kill("SIGTERM");
    await Promise.all([...this.workers].map((worker) => worker.stop()));
    rmSync(this.workDir, { recursive: true, force: true });
  }
}

/** Prints `measure`'s result: absolute numbers, then ratios to the first row (the baseline). */
export function printMeasurement(title, { rows, noise, connections, runsPerRow }) {
  const [baseline] = rows;
  const runs = runsPerRow === 2 ? "mean of two runs in mirrored order" : "one run each";
  console.log(`\n${title} (${connections} connection${connections === 1 ? "" : "s"}, ${runs})`);
  printTable(
    ["scenario", "req/s", "p50 ms", "p99 ms", "req/s vs base", "p50 vs base"],
    rows.map((row) => [
      row.name,
      row.requestsPerSecond.toFixed(0),
      row.p50Ms.toFixed(2),
      row.p99Ms.toFixed(2),
      (row.requestsPerSecond / baseline.requestsPerSecond).toFixed(2),
      (row.p50Ms / baseline.p50Ms).toFixed(2),
    ]),
  );
  console.log(`noise: the baseline's first and last runs differed by ${(noise * 100).toFixed(0)} % in req/s`);
}

/** Prints an aligned table: the first column left-aligned, the others right-aligned. */
export function printTable(header, rows) {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
  for (const row of [header, ...rows]) {
    console.log(
      row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  "),
    );
  }
}

/** The scenario's request (method, headers, JSON body) as wrk Lua. */
function wrkRequest({ method, headers = {}, body }) {
  const lines = [];
  if (method) lines.push(`wrk.method = ${luaString(method)}`);
  // "[ [[" with spaces: "[[[" would open a Lua long string.
  for (const [name, value] of Object.entries(headers)) {
    lines.push(`wrk.headers[ ${luaString(name)} ] = ${luaString(value)}`);
  }
  if (body !== undefined) {
    lines.push(`wrk.headers["Content-Type"] = "application/json"`);
    lines.push(`wrk.body = ${luaString(JSON.stringify(body))}`);
  }
  return lines.join("\n");
}

/** A Lua long-bracket string, with a level of `=` that the text itself does not close. */
export function luaString(text) {
  let level = "";
  while (text.includes(`]${level}]`)) level += "=";
  return `[${level}[${text}]${level}]`;
}

/** Sends `body` as JSON to the Worker under test and returns the parsed answer; throws on a non-2xx. */
export async function requestJson(url, method, path, body, headers = {}) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text);
}

/** `requestJson` with POST, what most set-up calls are. */
export function postJson(url, path, body, headers = {}) {
  return requestJson(url, "POST", path, body, headers);
}
