// The rate-limit comparison (issue 14): one coarse per-IP check through the Workers rate-limiting
// binding (`[[ratelimits]]`) and through our RateLimiter Durable Object, each against /healthz on
// the same Worker (bench/ratelimit-binding/worker.ts) in short alternating runs (the paired mode
// of bench/harness.mjs: base, scenario, scenario, base; the median of per-cycle ratios).
//
// Locally, wrangler dev simulates the binding with miniflare's in-memory fixed window in a Worker of
// its own (a service call per check), and runs the Durable Object in the same workerd process; a
// deployed binding counts per Cloudflare location and a deployed object may be a network hop away.
// So the ratios compare the two calls as the local runtime makes them, not the edge's latency.
import { printTable } from "./harness.mjs";

const ENTRY = "bench/ratelimit-binding/worker.ts";
const CONFIG = "bench/ratelimit-binding/wrangler.toml";
const BASELINE = { name: "GET /healthz (baseline)", path: "/healthz" };
const SCENARIOS = [
  { name: "GET /binding (Workers rate-limiting binding)", path: "/binding" },
  { name: "GET /durable-object (RateLimiter object)", path: "/durable-object" },
];

export const title =
  "ratelimit-binding: the Workers rate-limiting binding vs our Durable Object, one per-IP check";

/** Runs the suite on `bench` (bench/harness.mjs), printing its table; returns its rows. */
export async function run(bench) {
  console.log(`\n${title}`);
  const worker = await bench.startWorker({ name: "ratelimit-binding", entry: ENTRY, config: CONFIG });
  const rows = [];
  try {
    for (const connections of [1, bench.options.connections]) {
      for (const scenario of SCENARIOS) {
        const paired = await bench.measurePaired(worker.url, BASELINE, scenario, { connections, cycles: 4 });
        rows.push({ scenario: scenario.name, ...paired });
      }
    }
  } finally {
    await worker.stop();
  }
  console.log("\nratelimit-binding, each vs /healthz paired (2 s runs: base, scenario, scenario, base)");
  printTable(
    ["scenario", "connections", "cycles", "median req/s vs base", "lowest", "highest"],
    rows.map((row) => [
      row.scenario,
      String(row.connections),
      String(row.cycles),
      row.median.toFixed(2),
      row.lowest.toFixed(2),
      row.highest.toFixed(2),
    ]),
  );
  return rows;
}
