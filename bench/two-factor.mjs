// The two-factor suite, on the real Worker (src/index.ts), as ratios to /healthz in the same run:
//
// - login with TOTP next to plain login: the second step's cost (the password step plus a TOTP
//   check: the lockout read, the two-factor row, the secret's AES-GCM decryption, three HMACs and
//   the step's compare-and-set; a right code never calls the rate-limit Durable Object). A TOTP step is accepted once per user, so every request is a
//   different user with a fresh code: each wrk run takes users nobody used yet.
// - POST /tokens/validar-codigo/ with the right code: every request uses a different live code
//   (a code works once), confirmed by the admin on the user's behalf.
// Those thousands of users are seeded straight into the local D1 rather than registered (an
//   Argon2id hash each): the TOTP users share the password hash of one registered user, and their
//   secrets are sealed here, like the e-mailed codes' keyed digests, with the formats of
//   src/platform/secret-box.ts and keyed-hash.ts: a divergence fails every request, and the bench.
import { createCipheriv, createHash, createHmac, hkdfSync, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Secret, TOTP } from "otpauth";
import { luaString, printMeasurement } from "./harness.mjs";

// Limits far above what a bench can send: every request pays its checks and none is refused.
const GENEROUS = "9999999/1s";
const DATA_ENCRYPTION_KEY = randomBytes(32).toString("base64url");
const TOTP_ENCRYPTION_KEY = randomBytes(32).toString("base64url");
const VARS = {
  RATE_LIMIT_LOGIN_IP: GENEROUS,
  RATE_LIMIT_LOGIN_IDENTIFIER: GENEROUS,
  RATE_LIMIT_REGISTER_IP: GENEROUS,
  RATE_LIMIT_TWO_FACTOR_USER: GENEROUS,
  RATE_LIMIT_TWO_FACTOR_CODE_SEND: GENEROUS,
  DATA_ENCRYPTION_KEY,
  TOTP_ENCRYPTION_KEY,
  LOG_LEVEL: "warn",
};
const PASSWORD = "a bench passphrase that is long";
/** Users for each login scenario: a quarter per wrk run (two rounds, each a warm-up and a run). */
const LOGIN_USERS = 4000;
/** Seeded users with a live e-mailed code each: a quarter per wrk run, as above. */
const CODE_USERS = 20_000;

export const title = "two-factor: login with TOTP, /tokens/validar-codigo/ (src/index.ts)";

/** Runs the suite on `bench` (bench/harness.mjs), printing its table. */
export async function run(bench) {
  console.log(`\n${title}`);
  const state = join(bench.workDir, "two-factor");
  await bench.run("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", state]);
  const codes = await seedCodes(bench, state);
  const worker = await bench.startWorker({ name: "two-factor", state, vars: VARS });
  let measurement;
  try {
    const plain = { username: "bench.plain", email: "bench.plain@example.com", password: PASSWORD };
    await post(worker.url, "/auth/register", plain);
    const hash = await passwordHashOf(bench, state, plain.username);
    // Plain and TOTP logins both by users nobody signed in as yet: the same per-identifier work.
    const plainUsers = await seedLoginUsers(bench, state, hash, "plain", LOGIN_USERS, false);
    const totpUsers = await seedLoginUsers(bench, state, hash, "totp", LOGIN_USERS, true);
    const admin = await post(worker.url, "/auth/login", { identifier: "admin", password: "admin" });
    const takePlain = pool(plainUsers);
    const take = pool(totpUsers);
    const takeCodes = pool(codes);
    measurement = await bench.measure(
      worker.url,
      [
        { name: "GET /healthz (baseline)", path: "/healthz" },
        {
          name: "POST /auth/login (no 2FA)",
          path: "/auth/login",
          script: ({ threads }) =>
            queueScript(
              "/auth/login",
              {},
              takePlain(LOGIN_USERS / 4).map(({ username }) =>
                JSON.stringify({ identifier: username, password: PASSWORD }),
              ),
              threads,
            ),
        },
        {
          name: "POST /auth/login (+ TOTP)",
          path: "/auth/login",
          script: ({ threads }) => queueScript("/auth/login", {}, totpBodies(take(LOGIN_USERS / 4)), threads),
        },
        // For scale: a signed-in read (JWT check and one user read), the floor of any bearer route.
        {
          name: "GET /auth/me (reference)",
          path: "/auth/me",
          headers: { authorization: `Bearer ${admin.accessToken}` },
        },
        {
          name: "POST /tokens/validar-codigo/",
          path: "/tokens/validar-codigo/",
          script: ({ threads }) =>
            queueScript(
              "/tokens/validar-codigo/",
              { Authorization: `Bearer ${admin.accessToken}` },
              takeCodes(CODE_USERS / 4).map(({ userId, code }) => JSON.stringify({ codigo: code, userId })),
              threads,
            ),
        },
      ],
      // Mirrored order, averaged: this machine's speed drifts with whatever else runs on it.
      { rounds: 2 },
    );
  } finally {
    await worker.stop();
  }
  printMeasurement("two-factor", measurement);
  const [, plainLogin, totpLogin] = measurement.rows;
  const added = (plainLogin.requestsPerSecond / totpLogin.requestsPerSecond - 1) * 100;
  console.log(`the TOTP step adds ${added.toFixed(1)} % to a login's time per request (target < 10 %)`);
}

/** Hands out disjoint slices of `items`: a TOTP step or an e-mailed code works once. */
function pool(items) {
  let next = 0;
  return (count) => {
    const slice = items.slice(next, next + count);
    next += count;
    if (slice.length < count) throw new Error("the bench ran out of unused users; raise the pool size");
    return slice;
  };
}

/** Login bodies with each user's current code (still accepted a step later: a run is seconds). */
function totpBodies(users) {
  return users.map(({ username, totp }) =>
    JSON.stringify({ identifier: username, password: PASSWORD, twoFactorCode: totp.generate() }),
  );
}

/** The stored Argon2id hash of a registered user, read from the local D1. */
async function passwordHashOf(bench, state, username) {
  const output = await bench.run("wrangler", [
    ...["d1", "execute", "DB", "--local", "--persist-to", state, "--json", "--command"],
    `SELECT password_hash FROM users WHERE username = '${username}'`,
  ]);
  const hash = JSON.parse(output.slice(output.indexOf("[")))[0]?.results?.[0]?.password_hash;
  if (!hash?.startsWith("$argon2id$")) throw new Error(`no password hash for ${username}:\n${output}`);
  return hash;
}

/** SecretBox's format: base64url(iv ‖ AES-256-GCM ciphertext ‖ tag), bound to the user id. */
function seal(plaintext, userId) {
  const key = Buffer.from(TOTP_ENCRYPTION_KEY, "base64url");
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(userId));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return {
    keyId: createHash("sha256").update(key).digest().subarray(0, 8).toString("hex"),
    ciphertext: Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url"),
  };
}

/**
 * `count` users with the given password hash, straight into the local D1, with TOTP on when
 * `withTotp`. Returns their usernames (and authenticator) in a random order.
 */
async function seedLoginUsers(bench, state, passwordHash, prefix, count, withTotp) {
  const now = Date.now();
  const users = [];
  const rows = [];
  const seeded = [];
  for (let i = 0; i < count; i++) {
    const userId = `usr_bench${prefix}${String(i).padStart(6, "0")}`;
    const username = `${prefix}.${i}`;
    users.push(
      `('${userId}','${username}','${username}','${username}@example.com','${username}@example.com','${passwordHash}','${prefix} ${i}','usuario','active',${now},${now})`,
    );
    if (!withTotp) {
      seeded.push({ username });
      continue;
    }
    const secret = new Secret({ size: 20 }).base32;
    const sealed = seal(secret, userId);
    rows.push(`('${userId}','${sealed.ciphertext}','${sealed.keyId}',${now},'totp',${now},${now})`);
    seeded.push({ username, totp: new TOTP({ secret, algorithm: "SHA1", digits: 6, period: 30 }) });
  }
  await executeSql(bench, state, `two-factor-${prefix}.sql`, [
    ...insertStatements(USER_COLUMNS, users),
    ...insertStatements(
      "two_factor (user_id, secret_ciphertext, secret_key_id, enabled_at, method, created_at, updated_at)",
      rows,
    ),
  ]);
  return seeded;
}

/** HMAC-SHA-256 under HKDF(DATA_ENCRYPTION_KEY, "edge-auth keyed-hash v1: <purpose>"), hex. */
function keyedDigest(purpose, value) {
  const key = hkdfSync(
    "sha256",
    Buffer.from(DATA_ENCRYPTION_KEY, "base64url"),
    Buffer.alloc(0),
    `edge-auth keyed-hash v1: ${purpose}`,
    32,
  );
  return createHmac("sha256", Buffer.from(key)).update(value).digest("hex");
}

/** `CODE_USERS` users, each with a live `confirmation` code, straight into the local D1. */
async function seedCodes(bench, state) {
  const now = Date.now();
  const expires = now + 3_600_000;
  const users = [];
  const codes = [];
  const seeded = [];
  for (let i = 0; i < CODE_USERS; i++) {
    const userId = `usr_bench${String(i).padStart(6, "0")}`;
    const code = String((i * 7919 + 104729) % 1_000_000).padStart(6, "0");
    const hash = keyedDigest("two-factor e-mailed code", `${userId}:confirmation:${code}`);
    users.push(
      `('${userId}','code.${i}','code.${i}','code.${i}@example.com','code.${i}@example.com','$argon2id$not-a-real-hash','Code ${i}','usuario','active',${now},${now})`,
    );
    codes.push(`('tfc_bench${i}','${userId}','confirmation','${hash}',${expires},0,'${userId}',${now})`);
    seeded.push({ userId, code });
  }
  await executeSql(bench, state, "two-factor-codes.sql", [
    ...insertStatements(USER_COLUMNS, users),
    ...insertStatements(
      "two_factor_codes (id, user_id, purpose, code_hash, expires_at, attempts, created_by, created_at)",
      codes,
    ),
  ]);
  return seeded;
}

const USER_COLUMNS =
  "users (id, username, username_normalized, email, email_normalized, password_hash, name, role, status, created_at, updated_at)";

/** INSERTs of 200 rows each (under 100 kB): D1 refuses one statement over its size limit. */
function insertStatements(table, rows) {
  const statements = [];
  for (let i = 0; i < rows.length; i += 200) {
    statements.push(`INSERT INTO ${table} VALUES\n${rows.slice(i, i + 200).join(",\n")};`);
  }
  return statements;
}

/** Runs SQL statements on the local D1 of `state` (with or without its Worker running). */
async function executeSql(bench, state, name, statements) {
  const file = join(bench.workDir, name);
  writeFileSync(file, statements.join("\n"));
  await bench.run("wrangler", ["d1", "execute", "DB", "--local", "--persist-to", state, "--file", file]);
}

/**
 * wrk Lua sending one body of `bodies` per request, each once: thread n takes every n-th body. An
 * exhausted queue sends an empty body, which fails visibly (400) rather than repeating a code.
 */
function queueScript(path, headers, bodies, threads) {
  const headerLines = Object.entries(headers)
    // "[ [[" with spaces: "[[[" would open a Lua long string.
    .map(([name, value]) => `headers[ ${luaString(name)} ] = ${luaString(value)}`)
    .join("\n");
  return `
local bodies = { ${bodies.map((body) => luaString(body)).join(", ")} }
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end
local queue = {}
local nextBody = 1
function init(args)
  for i, body in ipairs(bodies) do
    if (i - 1) % ${threads} == id - 1 then table.insert(queue, body) end
  end
end
local headers = { ["Content-Type"] = "application/json" }
${headerLines}
function request()
  local body = queue[nextBody]
  nextBody = nextBody + 1
  if not body then return wrk.format("POST", ${luaString(path)}, headers, "") end
  return wrk.format("POST", ${luaString(path)}, headers, body)
end`;
}

async function post(url, path, body, token) {
  const response = await fetch(`${url}${path}`, {
    method: "POST",
    headers: {
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${text}`);
  return JSON.parse(text);
}
