/**
 * What `npm run bench` measures, in order. The first scenario is the baseline: every other one is
 * reported as a ratio to it, measured in the same run on the same machine.
 *
 * A scenario: `name`, `path`, and optionally `method` (default GET), `headers`, and `body` (a value
 * sent as JSON with content-type application/json). Any response of 400 or above counts as an
 * error and fails the run, so a scenario must describe a request that succeeds.
 */
export const scenarios = [
  { name: "GET /healthz (baseline)", path: "/healthz" },
  { name: "GET /readyz (D1 round trip)", path: "/readyz" },
  { name: "GET /.well-known/jwks.json", path: "/.well-known/jwks.json" },
];
