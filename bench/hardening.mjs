// The hardening suite (issue 8): the hot paths the hardening changed, on the real Worker
// (src/index.ts), as ratios to /healthz measured in the same run.
// - login: three rate-limit checks (per IP, per identifier and client, per identifier), two of
//   them refunded after the response (they count only failures), then Argon2id;
// - introspection as the admin: authorize("tokens:introspect") and its rate limit;
// - /auth/me: the token-epoch check of every authenticated request;
// - /docs: an HTML page through the security-headers middleware.
import { postJson, printMeasurement } from "./harness.mjs";

// Far above what a bench sends, so nothing is refused, yet every request pays its checks.
const GENEROUS = "9999999/1s";
const RATE_LIMIT_VARS = {
  RATE_LIMIT_LOGIN_IP: GENEROUS,
  RATE_LIMIT_LOGIN_IDENTIFIER_CLIENT: GENEROUS,
  RATE_LIMIT_LOGIN_IDENTIFIER: GENEROUS,
  RATE_LIMIT_REGISTER_IP: GENEROUS,
  RATE_LIMIT_INTROSPECT_IP: GENEROUS,
};
const ACCOUNT = {
  username: "bench.hardening",
  email: "bench.hardening@example.com",
  password: "a bench passphrase that is long",
};

const scenarios = (user, admin) => [
  { name: "GET /healthz (baseline)", path: "/healthz" },
  {
    name: "POST /auth/introspect (admin)",
    path: "/auth/introspect",
    method: "POST",
    headers: { authorization: `Bearer ${admin.accessToken}` },
    body: { token: user.accessToken },
  },
  {
    name: "GET /auth/me (epoch check)",
    path: "/auth/me",
    headers: { authorization: `Bearer ${user.accessToken}` },
  },
  { name: "GET /docs (security headers)", path: "/docs" },
  // Last: Argon2id keeps the one isolate busy for a moment after the run, which would starve the
  // warm-up of whatever came next (the baseline's last run absorbs it).
  {
    name: "POST /auth/login (3 limits, 2 refunds)",
    path: "/auth/login",
    method: "POST",
    body: { identifier: ACCOUNT.username, password: ACCOUNT.password },
  },
];

export const title = "hardening: rate-limited login, admin introspection, me, /docs (src/index.ts)";

/** Runs the suite on `bench` (bench/harness.mjs), printing its table. */
export async function run(bench) {
  const worker = await bench.startWorker({ name: "hardening", vars: RATE_LIMIT_VARS });
  let measurement;
  try {
    console.log(`\n${title}: rate limits set to ${GENEROUS}`);
    const user = await postJson(worker.url, "/auth/register", ACCOUNT);
    // The development admin (seed 002's defaults; wrangler.toml's top level is development).
    const admin = await postJson(worker.url, "/auth/login", { identifier: "admin", password: "admin" });
    measurement = await bench.measure(worker.url, scenarios(user, admin));
  } finally {
    await worker.stop();
  }
  printMeasurement("hardening", measurement);
}
