// The api-tokens suite: what authenticating a request costs, on bench/auth-worker.ts (the real app
// plus /bench/authenticated, which is /healthz behind authenticate() and authorize()). The same GET
// with an API token and with an access JWT, as ratios to /healthz measured in the same run; then
// GET /auth/me and GET /api/api-tokens/ with each credential, real routes that read the database.
//
// Targets (issue 9): API token >= 0.65 of /healthz, access JWT >= 0.85. Each isolate serves a
// credential from its positive cache for AUTH_CACHE_SECONDS (default 5), so after the first
// request of a few seconds neither credential costs a database read; `cache off` rows run with
// AUTH_CACHE_SECONDS=0 (a read per request) for comparison.
import { printMeasurement } from "./harness.mjs";

const ENTRY = "bench/auth-worker.ts";
// LOG_LEVEL=warn: the per-request log line would weigh alike on every route and hide the cost of
// authentication (docs/operating.md); register's limit raised so the set-up is never refused.
const VARS = { LOG_LEVEL: "warn", RATE_LIMIT_REGISTER_IP: "9999999/1s" };
const ACCOUNT = {
  username: "bench.tokens",
  email: "bench.tokens@example.com",
  password: "a bench passphrase that is long",
};

const scenarios = ({ accessToken, apiToken }, label = "") => [
  { name: "GET /healthz (baseline)", path: "/healthz" },
  {
    name: `GET /bench/authenticated, API token${label}`,
    path: "/bench/authenticated",
    headers: { authorization: `Bearer ${apiToken}` },
  },
  {
    name: `GET /bench/authenticated, access JWT${label}`,
    path: "/bench/authenticated",
    headers: { authorization: `Bearer ${accessToken}` },
  },
  {
    name: `GET /auth/me, API token${label}`,
    path: "/auth/me",
    headers: { authorization: `Bearer ${apiToken}` },
  },
  {
    name: `GET /auth/me, access JWT${label}`,
    path: "/auth/me",
    headers: { authorization: `Bearer ${accessToken}` },
  },
  {
    name: `GET /api/api-tokens/, API token${label}`,
    path: "/api/api-tokens/",
    headers: { authorization: `Bearer ${apiToken}` },
  },
];

export const title =
  "api-tokens: authenticating with an API token and with an access JWT (bench/auth-worker.ts)";

/** Runs the suite on `bench` (bench/harness.mjs), printing its tables. */
export async function run(bench) {
  console.log(`\n${title}`);
  for (const [cache, label] of [
    ["5", ""],
    ["0", " (cache off)"],
  ]) {
    const worker = await bench.startWorker({
      name: `api-tokens-cache-${cache}`,
      entry: ENTRY,
      vars: { ...VARS, AUTH_CACHE_SECONDS: cache },
    });
    let measurement;
    try {
      const credentials = await credentialsOn(worker.url);
      measurement = await bench.measure(worker.url, scenarios(credentials, label), { rounds: 2 });
    } finally {
      await worker.stop();
    }
    printMeasurement(`api-tokens, AUTH_CACHE_SECONDS=${cache}`, measurement);
  }
}

/** A registered user's access token (valid for the run: 15 minutes) and a read API token of theirs. */
async function credentialsOn(url) {
  const { accessToken } = await call(url, "POST", "/auth/register", ACCOUNT);
  const { token } = await call(
    url,
    "POST",
    "/api/api-tokens/",
    { nome: "bench", scope: "read" },
    accessToken,
  );
  return { accessToken, apiToken: token };
}

async function call(url, method, path, body, accessToken) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      "content-type": "application/json",
      ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text);
}
