// The platform suite: the routes every deployment serves, on the real Worker (src/index.ts).
import { printMeasurement } from "./harness.mjs";

/**
 * The scenarios; the first is the baseline. A scenario: `name`, `path`, and optionally `method`
 * (default GET), `headers`, and `body` (sent as JSON), or `script` returning the wrk Lua request
 * code (see bench/accounts.mjs). A response of 400 or above fails the run.
 */
const scenarios = [
  { name: "GET /healthz (baseline)", path: "/healthz" },
  { name: "GET /readyz (D1 round trip)", path: "/readyz" },
  { name: "GET /.well-known/jwks.json", path: "/.well-known/jwks.json" },
];

export const title = "platform: health, readiness, JWKS (src/index.ts)";

/** Runs the suite on `bench` (bench/harness.mjs), printing its table. */
export async function run(bench) {
  console.log(`\n${title}`);
  const worker = await bench.startWorker({ name: "platform" });
  let measurement;
  try {
    measurement = await bench.measure(worker.url, scenarios);
  } finally {
    await worker.stop();
  }
  printMeasurement("platform", measurement);
}
