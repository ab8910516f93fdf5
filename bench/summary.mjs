// The summary suite: issue 14's table, its five rows measured in one run, with the issue's "Today"
// and target columns beside the new ratio. Each row is measured in the paired mode of
// bench/harness.mjs (2 s runs: base, scenario, scenario, base; the median of per-cycle ratios),
// which a shared machine's changing load distorts far less than long runs one after another.
// - /healthz at the default LOG_LEVEL vs at warn: two Workers, the same route;
// - refresh and /auth/me vs /healthz of the same Worker (src/index.ts, default LOG_LEVEL);
// - login vs the bare Argon2id verification rate in workerd (test/unit/password-cost.test.ts),
//   measured with the Worker stopped;
// - a route with one rate-limit check vs without (bench/ops-worker.ts: /limited vs /healthz).
import { ACCOUNT, argon2InWorkerd, RATE_LIMIT_VARS, refreshScript } from "./accounts.mjs";
import { postJson, printTable } from "./harness.mjs";

const HEALTHZ = { name: "GET /healthz", path: "/healthz" };
const ROWS = {
  logging: { path: "`/healthz` at the default `LOG_LEVEL` vs at `warn`", today: "0.47", target: "≥ 0.9" },
  refresh: { path: "`POST /auth/refresh` (rotation) vs /healthz", today: "≈ 0.12", target: "≥ 0.45" },
  me: { path: "`GET /auth/me` (JWT + the user) vs /healthz", today: "0.36", target: "≥ 0.6" },
  login: { path: "`POST /auth/login` vs bare Argon2id verification rate", today: "≈ 0.76", target: "≥ 0.9" },
  limited: { path: "A route with one rate-limit check vs without", today: "0.56", target: "≥ 0.85" },
};
const CYCLES = 4;

export const title = "summary: issue 14's table, today's ratios and this run's side by side";

/** Runs the suite on `bench` (bench/harness.mjs), printing the table. */
export async function run(bench) {
  console.log(`\n${title}`);
  const { connections } = bench.options;
  // Each row is printed as soon as it is measured: a later failure does not lose it.
  const paired = async (url, base, scenario) => {
    const result = await bench.measurePaired(url, base, scenario, { connections, cycles: CYCLES });
    console.log(
      `${scenario.name} vs ${base.name}: ${result.median.toFixed(2)} (${result.lowest.toFixed(2)}–${result.highest.toFixed(2)})`,
    );
    return result;
  };
  const results = {};

  const app = await bench.startWorker({ name: "summary-app", vars: RATE_LIMIT_VARS });
  const quiet = await bench.startWorker({ name: "summary-warn", vars: { LOG_LEVEL: "warn" } });
  let loginRate;
  let quietRunning = true;
  try {
    // A fresh Worker's first requests compile its code: without this, the first 2 s run can end
    // before any answer on a loaded machine.
    await Promise.all([warm(app.url), warm(quiet.url)]);
    results.logging = await paired(quiet.url, HEALTHZ, { ...HEALTHZ, url: app.url });
    // Stopped at once: an idle Worker still takes memory from the runs that follow.
    quietRunning = false;
    await quiet.stop();
    const user = await postJson(app.url, "/auth/register", ACCOUNT);
    results.refresh = await paired(app.url, HEALTHZ, {
      name: "POST /auth/refresh",
      path: "/auth/refresh",
      script: (wrk) => refreshScript(app.url, wrk),
    });
    results.me = await paired(app.url, HEALTHZ, {
      name: "GET /auth/me",
      path: "/auth/me",
      headers: { authorization: `Bearer ${user.accessToken}` },
    });
    const login = {
      name: "POST /auth/login",
      path: "/auth/login",
      method: "POST",
      body: { identifier: ACCOUNT.username, password: ACCOUNT.password },
    };
    const settings = { threads: Math.min(bench.options.threads, connections), connections };
    // Sequential warm-up: a 1 s wrk run of logins can end before any answer on a loaded machine.
    for (let i = 0; i < 3; i++) await postJson(app.url, "/auth/login", login.body);
    loginRate = (await bench.wrk(app.url, login, settings, bench.options.duration)).requestsPerSecond;
  } finally {
    await app.stop();
    if (quietRunning) await quiet.stop();
  }
  const argon2 = await argon2InWorkerd(bench);
  const verifications = 1000 / argon2.verifyMs;
  results.login = {
    median: loginRate / verifications,
    detail: `${loginRate.toFixed(1)} vs ${verifications.toFixed(1)}/s`,
  };

  const ops = await bench.startWorker({
    name: "summary-ops",
    entry: "bench/ops-worker.ts",
    vars: { RATE_LIMIT_REGISTER_IP: "9999999/1s", LOG_LEVEL: "warn" },
  });
  try {
    await warm(ops.url);
    results.limited = await paired(ops.url, HEALTHZ, { name: "GET /limited", path: "/limited" });
  } finally {
    await ops.stop();
  }

  console.log(
    `\nsummary (${connections} connections; paired rows: median of ${CYCLES} cycles, lowest–highest; ` +
      "login: one run against the bare rate)",
  );
  printTable(
    ["Path", "Today", "Target", "Now", "range / detail"],
    Object.entries(ROWS).map(([key, row]) => {
      const result = results[key];
      const detail = result.detail ?? `${result.lowest.toFixed(2)}–${result.highest.toFixed(2)}`;
      return [row.path, row.today, row.target, result.median.toFixed(2), detail];
    }),
  );
  console.log(argon2.line);
}

/** A few sequential requests to `/healthz`, so the Worker has compiled and answered before wrk runs. */
async function warm(url) {
  for (let i = 0; i < 20; i++) await (await fetch(`${url}/healthz`)).text();
}
