// `npm run bench`: every suite, or
// `npm run bench -- --suite platform|accounts|hardening|api-tokens|two-factor|invites|admin|tenants|ops|profile|ratelimit-binding|summary|bundle|scale`
// (repeatable).
// Each suite starts its Worker with `wrangler dev` on a free loopback port (own temp state, generated
// secrets, the flags that keep wrangler's tracing and logging out of the numbers), drives its
// scenarios with wrk for a bounded time and prints req/s and p50/p99 latency with ratios to a
// baseline measured in the same run (bench/harness.mjs). Absolute numbers depend on the machine;
// compare ratios within one run.
//
// usage: npm run bench -- [--suite NAME]... [--duration 4] [--warmup 1] [--connections 8]
//                         [--threads 1] [--rows N]
// --rows: the rows of the ops suite's cleanup table (default 100000) and of each table the scale
// suite seeds (default 1000000; bench/scale.mjs).
import { parseArgs } from "node:util";
import * as accounts from "./accounts.mjs";
import * as admin from "./admin.mjs";
import * as apiTokens from "./api-tokens.mjs";
import * as bundle from "./bundle.mjs";
import * as hardening from "./hardening.mjs";
import { Bench } from "./harness.mjs";
import * as invites from "./invites.mjs";
import * as ops from "./ops.mjs";
import * as platform from "./platform.mjs";
import * as profile from "./profile.mjs";
import * as ratelimitBinding from "./ratelimit-binding.mjs";
import * as scale from "./scale.mjs";
import * as summary from "./summary.mjs";
import * as tenants from "./tenants.mjs";
import * as twoFactor from "./two-factor.mjs";

const SUITES = {
  platform,
  accounts,
  hardening,
  "api-tokens": apiTokens,
  "two-factor": twoFactor,
  invites,
  admin,
  tenants,
  ops,
  profile,
  "ratelimit-binding": ratelimitBinding,
  summary,
  bundle,
  scale,
};
/** --rows when not given, unless the suite has its own `defaultRows`. */
const DEFAULT_ROWS = 100_000;
const MAX_SECONDS = 60;

const { values } = parseArgs({
  options: {
    suite: { type: "string", multiple: true, default: Object.keys(SUITES) },
    duration: { type: "string", default: "4" },
    warmup: { type: "string", default: "1" },
    connections: { type: "string", default: "8" },
    threads: { type: "string", default: "1" },
    rows: { type: "string" },
  },
});
for (const name of values.suite) {
  if (!Object.hasOwn(SUITES, name))
    usage(`--suite must be one of ${Object.keys(SUITES).join(", ")}, got ${name}`);
}
const options = {
  duration: boundedInteger("duration", values.duration, 1, MAX_SECONDS),
  warmup: boundedInteger("warmup", values.warmup, 0, MAX_SECONDS),
  connections: boundedInteger("connections", values.connections, 1, 256),
  threads: boundedInteger("threads", values.threads, 1, 16),
};
const requestedRows =
  values.rows === undefined ? undefined : boundedInteger("rows", values.rows, 1000, 2_000_000);

const bench = new Bench(options);
let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    interrupted = true;
    console.error(`\n${signal}: stopping the Worker`);
    bench.close().finally(() => process.exit(130));
  });
}

const started = performance.now();
console.log(
  `wrk ${options.threads} thread(s), ${options.connections} connections, ${options.duration} s per run ` +
    `after ${options.warmup} s of warm-up; suites: ${values.suite.join(", ")}`,
);
let failed = false;
try {
  for (const name of values.suite) {
    bench.options.rows = requestedRows ?? SUITES[name].defaultRows ?? DEFAULT_ROWS;
    await SUITES[name].run(bench);
  }
} catch (error) {
  failed = true;
  // After SIGINT the children were stopped on purpose: their failures are not news.
  if (!interrupted) console.error(error instanceof Error ? error.message : error);
} finally {
  await bench.close();
}
console.log(`\nbench took ${((performance.now() - started) / 1000).toFixed(0)} s`);
process.exit(failed ? 1 : 0);

function boundedInteger(name, text, min, max) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max)
    usage(`--${name} must be an integer from ${min} to ${max}, got ${text}`);
  return value;
}

function usage(message) {
  console.error(message);
  process.exit(2);
}
