// The profile suite: where one request of each hot path spends its time, on the real Worker
// (src/index.ts) with PROFILE=on. Each response's `Server-Timing` header (src/platform/profiler.ts)
// lists the parts: building the request's services, D1 round trips, audit writes, rate-limit checks
// (Durable Object calls), other Durable Object calls, RSA signs and verifications, Argon2id,
// metrics, log lines; "other" is the rest (routing, validation, JSON, SHA-256, AES). Requests go
// one at a time, so each part is its own cost and not a wait for a busy isolate; the table prints
// the mean of each part per path (ms, and the median calls per request) and the median total,
// after a few unmeasured requests. Means, not medians, for the parts: workerd's timer ticks in
// whole milliseconds, so a sub-millisecond part's median reads 0 while its mean over many
// requests resolves it.
// Times under `wrangler dev` advance during CPU work, unlike a deployed Worker's: this is a local
// measurement, and its absolute values depend on the machine. Compare parts within one column.
import { Secret, TOTP } from "otpauth";
import { printTable, requestJson } from "./harness.mjs";

const SAMPLES = 40;
const WARMUP = 5;
const TOTP_USERS = 6;
const GENEROUS = "9999999/1s";
const VARS = {
  PROFILE: "on",
  RATE_LIMIT_LOGIN_IP: GENEROUS,
  RATE_LIMIT_LOGIN_IDENTIFIER: GENEROUS,
  RATE_LIMIT_LOGIN_IDENTIFIER_CLIENT: GENEROUS,
  RATE_LIMIT_REGISTER_IP: GENEROUS,
  RATE_LIMIT_REFRESH_IP: GENEROUS,
  RATE_LIMIT_INVITES_VALIDATE_IP: GENEROUS,
  RATE_LIMIT_TWO_FACTOR_USER: GENEROUS,
  ACCESS_TOKEN_TTL: "3600",
};
const PASSWORD = "a bench passphrase that is long";
// The order of src/platform/profiler.ts's PROFILE_PARTS, then what no port accounts for.
const PARTS = [
  "setup",
  "d1",
  "audit",
  "rate-limit",
  "durable-object",
  "rsa-sign",
  "rsa-verify",
  "argon2",
  "metrics",
  "log",
  "other",
  "total",
];
const TOTALS = ["total", "total (median)"];

export const title = "profile: each hot path's request broken into parts (PROFILE=on, src/index.ts)";

/** Runs the suite on `bench` (bench/harness.mjs), printing its table; returns the medians by path. */
export async function run(bench) {
  console.log(`\n${title}`);
  const worker = await bench.startWorker({ name: "profile", vars: VARS });
  const profiles = [];
  try {
    for (const path of await hotPaths(worker.url)) {
      const samples = [];
      for (let i = 0; i < path.warmup + path.samples; i++) {
        const timing = await path.send();
        if (i >= path.warmup) samples.push(timing);
      }
      profiles.push({ name: path.name, samples });
    }
  } finally {
    await worker.stop();
  }
  print(profiles);
  return profiles;
}

/** The hot paths: a name, how many requests to profile, and `send()` resolving to one request's parts. */
async function hotPaths(url) {
  const user = await requestJson(url, "POST", "/auth/register", {
    username: "bench.profile",
    email: "bench.profile@example.com",
    password: PASSWORD,
  });
  const userAuth = { authorization: `Bearer ${user.accessToken}` };
  const { token: apiToken } = await requestJson(
    url,
    "POST",
    "/api/api-tokens/",
    { nome: "bench", scope: "read" },
    userAuth,
  );
  const admin = await requestJson(url, "POST", "/auth/login", { identifier: "admin", password: "admin" });
  const invite = await requestJson(
    url,
    "POST",
    "/api/tokens/",
    { tipo_destino: "associado" },
    { authorization: `Bearer ${admin.accessToken}` },
  );
  const totpLogins = [];
  for (let i = 0; i < TOTP_USERS + 1; i++) totpLogins.push(await totpUser(url, i));
  let refreshToken = user.refreshToken;
  const repeat = { warmup: WARMUP, samples: SAMPLES };
  return [
    { name: "healthz", ...repeat, send: () => timed(url, "GET", "/healthz") },
    {
      name: "login",
      ...repeat,
      send: () => timed(url, "POST", "/auth/login", { identifier: "bench.profile", password: PASSWORD }),
    },
    {
      name: "refresh",
      ...repeat,
      send: async () => {
        const { timing, body } = await timedWithBody(url, "POST", "/auth/refresh", { refreshToken });
        refreshToken = body.refreshToken;
        return timing;
      },
    },
    { name: "me (JWT)", ...repeat, send: () => timed(url, "GET", "/auth/me", undefined, userAuth) },
    {
      name: "me (API token)",
      ...repeat,
      send: () => timed(url, "GET", "/auth/me", undefined, { authorization: `Bearer ${apiToken}` }),
    },
    {
      name: "invite validate",
      ...repeat,
      send: () => timed(url, "GET", `/api/tokens/validate/?codigo=${encodeURIComponent(invite.codigo)}`),
    },
    // A TOTP code's step is spent at its first use: one login per enrolled user (the first warms up).
    {
      name: "login + TOTP",
      warmup: 1,
      samples: TOTP_USERS,
      send: () => {
        const { username, totp } = totpLogins.shift();
        // The next step's code: the current one was spent turning two-factor on.
        const twoFactorCode = totp.generate({ timestamp: Date.now() + 30_000 });
        return timed(url, "POST", "/auth/login", { identifier: username, password: PASSWORD, twoFactorCode });
      },
    },
  ];
}

/** A registered user with TOTP turned on; returns their username and authenticator. */
async function totpUser(url, index) {
  const username = `bench.totp${index}`;
  const { accessToken } = await requestJson(url, "POST", "/auth/register", {
    username,
    email: `${username}@example.com`,
    password: PASSWORD,
  });
  const auth = { authorization: `Bearer ${accessToken}` };
  const { secret } = await requestJson(url, "POST", "/auth/2fa/setup", {}, auth);
  const totp = new TOTP({ secret: Secret.fromBase32(secret), algorithm: "SHA1", digits: 6, period: 30 });
  await requestJson(url, "POST", "/auth/2fa/enable", { code: totp.generate(), method: "totp" }, auth);
  return { username, totp };
}

async function timed(url, method, path, body, headers) {
  return (await timedWithBody(url, method, path, body, headers)).timing;
}

/** One request; its `Server-Timing` as part → { ms, calls }, with `other` = total − the parts. */
async function timedWithBody(url, method, path, body, headers = {}) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { ...(body ? { "content-type": "application/json" } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  const header = response.headers.get("server-timing");
  if (!header) throw new Error(`${method} ${path}: no Server-Timing header (is PROFILE=on?)`);
  const timing = parseServerTiming(header);
  const parts = [...timing].filter(([name]) => name !== "total");
  const accounted = parts.reduce((sum, [, part]) => sum + part.ms, 0);
  timing.set("other", { ms: Math.max(0, timing.get("total").ms - accounted), calls: 0 });
  return { timing, body: JSON.parse(text) };
}

/** `name;dur=1.2;desc="3", …` as a Map of name → { ms, calls }. */
export function parseServerTiming(header) {
  return new Map(
    header.split(",").map((entry) => {
      const [name, ...params] = entry.trim().split(";");
      const values = Object.fromEntries(params.map((param) => param.split("=")));
      return [name, { ms: Number(values.dur), calls: Number((values.desc ?? "0").replaceAll('"', "")) }];
    }),
  );
}

function print(profiles) {
  console.log(
    `\nprofile: mean ms per part (median calls per request), ${SAMPLES} sequential requests per path ` +
      `(TOTP: ${TOTP_USERS}) after ${WARMUP} unmeasured`,
  );
  const rows = [...PARTS, TOTALS[1]].map((part) => [
    part,
    ...profiles.map(({ samples }) => {
      if (part === TOTALS[1]) return median(samples.map((timing) => timing.get("total").ms)).toFixed(2);
      const present = samples.filter((timing) => timing.has(part));
      if (present.length === 0) return "-";
      const ms = mean(samples.map((timing) => timing.get(part)?.ms ?? 0));
      const calls = median(present.map((timing) => timing.get(part).calls));
      return part === "other" || part === "total" ? ms.toFixed(2) : `${ms.toFixed(2)} (${calls})`;
    }),
  ]);
  printTable(["part", ...profiles.map(({ name }) => name)], rows);
}

function mean(values) {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
