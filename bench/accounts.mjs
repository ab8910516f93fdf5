// The account suite: login, refresh, /auth/me and introspect on the real Worker (src/index.ts), as
// ratios to /healthz, and login's rate next to the bare Argon2id rate inside workerd measured in
// the same run (test/unit/password-cost.test.ts): a login verifies one password, so its rate is
// bounded by the verification rate of the one isolate thread.
import { postJson, printMeasurement } from "./harness.mjs";

// Each limit is far above what a bench can send, so no request is refused, yet every request pays
// its route's rate-limit checks as in production. The defaults (wrangler.toml [vars]) would refuse
// most logins and refreshes: the bench sends them all from one IP, for one identifier.
const GENEROUS = "9999999/1s";
/** The vars of the accounts Worker: every rate limit of its routes out of reach. */
export const RATE_LIMIT_VARS = {
  RATE_LIMIT_LOGIN_IP: GENEROUS,
  RATE_LIMIT_LOGIN_IDENTIFIER: GENEROUS,
  RATE_LIMIT_LOGIN_IDENTIFIER_CLIENT: GENEROUS,
  RATE_LIMIT_REGISTER_IP: GENEROUS,
  RATE_LIMIT_REFRESH_IP: GENEROUS,
  RATE_LIMIT_INTROSPECT_IP: GENEROUS,
};
/** The user the suite registers; `refreshScript` logs in as them. */
export const ACCOUNT = {
  username: "bench.user",
  email: "bench.user@example.com",
  password: "a bench passphrase that is long",
};
const CREDENTIALS = { identifier: ACCOUNT.username, password: ACCOUNT.password };

/**
 * The scenarios, given the registered user's tokens and an admin's (introspection is for admins and
 * their API tokens); the first is the baseline.
 */
const scenarios = (url, user, admin) => [
  { name: "GET /healthz (baseline)", path: "/healthz" },
  { name: "POST /auth/login", path: "/auth/login", method: "POST", body: CREDENTIALS },
  { name: "POST /auth/refresh", path: "/auth/refresh", script: (wrk) => refreshScript(url, wrk) },
  { name: "GET /auth/me", path: "/auth/me", headers: { authorization: `Bearer ${user.accessToken}` } },
  {
    name: "POST /auth/introspect",
    path: "/auth/introspect",
    method: "POST",
    headers: { authorization: `Bearer ${admin.accessToken}` },
    body: { token: user.refreshToken },
  },
];

export const title = "accounts: login, refresh, me, introspect (src/index.ts)";

/** Runs the suite on `bench` (bench/harness.mjs), printing its tables. */
export async function run(bench) {
  const worker = await bench.startWorker({ name: "accounts", vars: RATE_LIMIT_VARS });
  let measurement;
  try {
    console.log(`\n${title}: rate limits set to ${GENEROUS} for login, register and refresh`);
    const user = await postJson(worker.url, "/auth/register", ACCOUNT);
    // The development admin (seed 002's defaults; bench.startWorker runs ENVIRONMENT=development).
    const admin = await postJson(worker.url, "/auth/login", { identifier: "admin", password: "admin" });
    measurement = await bench.measure(worker.url, scenarios(worker.url, user, admin));
  } finally {
    await worker.stop();
  }
  printMeasurement("accounts", measurement);
  // Measured with the Worker stopped, so nothing else competes for the cores.
  const argon2 = await argon2InWorkerd(bench);
  const login = measurement.rows.find((row) => row.name === "POST /auth/login").requestsPerSecond;
  const verifications = 1000 / argon2.verifyMs;
  console.log(argon2.line);
  console.log(
    `login: ${login.toFixed(1)} req/s; bare Argon2id in workerd: ${(1000 / argon2.hashMs).toFixed(1)} hashes/s, ` +
      `${verifications.toFixed(1)} verifications/s; login = ${(login / verifications).toFixed(2)} x the bare verification rate`,
  );
}

/**
 * wrk Lua for refresh (also the scale suite's, with its seeded user's `credentials`). A refresh
 * token is single-use, so every connection needs a chain of its own: fresh logins give one token
 * per connection, each wrk thread queues the tokens it owns,
 * sends one per request and queues the new token of each response, so no token is sent twice.
 * One token more than connections: before the run, wrk calls request() once in the first
 * thread's Lua state to check it, and that request is never sent.
 */
export async function refreshScript(url, { threads, connections }, credentials = CREDENTIALS) {
  const tokens = [];
  for (let i = 0; i <= connections; i++)
    tokens.push((await postJson(url, "/auth/login", credentials)).refreshToken);
  return `
local tokens = { ${tokens.map((token) => JSON.stringify(token)).join(", ")} }
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end
local queue = {}
function init(args)
  for i, token in ipairs(tokens) do
    if (i - 1) % ${threads} == id - 1 then table.insert(queue, token) end
  end
end
function request()
  local token = table.remove(queue, 1)
  -- Only if a chain broke (a failed refresh returns no token): the empty body fails visibly.
  if not token then return wrk.format("POST", "/auth/refresh") end
  return wrk.format("POST", "/auth/refresh", { ["Content-Type"] = "application/json" },
    '{"refreshToken":"' .. token .. '"}')
end
function response(status, headers, body)
  local token = body:match('"refreshToken":"([^"]+)"')
  if token then table.insert(queue, token) end
end`;
}

/** test/unit/password-cost.test.ts in workerd: ms per hash and per verification. */
export async function argon2InWorkerd(bench) {
  const output = await bench.run("vitest", [
    "run",
    "--project",
    "workers",
    "test/unit/password-cost.test.ts",
  ]);
  const line = output.match(/argon2id m=.*$/m)?.[0];
  const match = line && /hash ([\d.]+) ms, verify ([\d.]+) ms/.exec(line);
  if (!match) throw new Error(`test/unit/password-cost.test.ts printed no measurement:\n${output}`);
  return { line, hashMs: Number(match[1]), verifyMs: Number(match[2]) };
}
