// Seeds a local D1 database (the SQLite file `wrangler dev --persist-to <state>` uses) with a scale
// data set: `rows` refresh tokens, audit rows, API tokens and invites, and `rows / 10` users, in the
// columns, id formats and hashes the repositories write, so the product reads every row as its own.
//
// Fast by construction: one transaction per table, multi-row INSERTs through node:sqlite (Node 22),
// one Argon2id hash for every user (hashed once, the encoded string reused), SHA-256 through
// node:crypto. The audit rows are sealed into a valid hash chain (src/features/audit/chain.ts) with
// its head, so the cron's sealer finds no backlog and `POST /api/audit-logs/verify/` checks out.
//
// Dates: every row is created within the week before `now` and is live at `now` (refresh tokens
// expire 14 days after creation, half the API tokens 90 days after, invites 14 days after), so the
// request paths meet the data they would in production; the cleanup bench moves the cron's clock
// forward to make them due.
//
// usage (after `wrangler d1 migrations apply DB --local --persist-to <state>`):
//   node bench/scale-seed.mjs --state <dir> [--rows 1000000]
import { createHash, randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { crc32 } from "node:zlib";
import initArgon2 from "@phi-ag/argon2/node";

/** The password of every seeded user. */
export const SCALE_PASSWORD = "a scale bench passphrase that is long";
/** The tenant every seeded invite belongs to. */
export const SCALE_TENANT_SLUG = "scale-bench";
/** Argon2id parameters of wrangler.toml [vars]: a login never re-hashes a seeded user's password. */
const ARGON2 = { memoryCost: 19456, timeCost: 2, parallelism: 1 };
const DAY_MS = 86_400_000;
const CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz";
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** Rows per INSERT statement: well under SQLite's 32,766 bound parameters for every table here. */
const ROWS_PER_STATEMENT = 200;

/** The username of seeded user `index` (0-based); their e-mail is `<username>@example.com`. */
export const scaleUsername = (index) => `scale.user.${index}`;

/** The SQLite file of the D1 binding under a `--persist-to` directory (migrations applied first). */
export function d1FileOf(state) {
  const dir = join(state, "v3", "d1", "miniflare-D1DatabaseObject");
  const files = readdirSync(dir).filter((name) => name.endsWith(".sqlite") && name !== "metadata.sqlite");
  if (files.length !== 1) throw new Error(`expected one D1 database in ${dir}, found ${files.join(", ")}`);
  return join(dir, files[0]);
}

/**
 * Seeds the D1 file under `state`. Returns what a bench needs to use the data (a user's name, one
 * API token and one invite code in clear, picked in the middle of their tables) and the seconds
 * each table took.
 */
export async function seedScale(state, { rows, now = Date.now() }) {
  const users = Math.max(1, Math.floor(rows / 10));
  const argon2 = await initArgon2();
  const passwordHash = argon2.hash(SCALE_PASSWORD, ARGON2).encoded;
  const db = new DatabaseSync(d1FileOf(state));
  // No journal while seeding (a failed seeding is thrown away, never rolled back into use), then
  // the file's own mode again; a large page cache for the index builds.
  const journalMode = db.prepare("PRAGMA journal_mode").get().journal_mode;
  db.exec("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -1048576;");
  db.exec("PRAGMA temp_store = MEMORY;");
  const timings = {};
  const timed = (name, count, build) => {
    const started = performance.now();
    insertAll(db, name, count, build);
    timings[name] = (performance.now() - started) / 1000;
  };
  const created = (index, count) => now - DAY_MS * 7 + Math.floor((index * DAY_MS * 7) / count);
  const userIds = Array.from({ length: users }, (_, i) => timeOrderedId("usr", created(i, users), i));
  const userOf = (index) => userIds[index % users];

  timed("users", users, (i) => {
    const at = created(i, users);
    const username = scaleUsername(i);
    const email = `${username}@example.com`;
    return {
      id: userIds[i],
      username,
      username_normalized: username,
      email,
      email_normalized: email,
      password_hash: passwordHash,
      name: `Scale User ${i}`,
      role: "usuario",
      status: "active",
      email_verified_at: at,
      created_at: at,
      updated_at: at,
    };
  });

  const tenantId = timeOrderedId("tnt", now - DAY_MS * 8, 0);
  db.prepare(
    "INSERT INTO tenants (id, slug, name, created_at, status, mfa_required) VALUES (?, ?, ?, ?, 'active', 0)",
  ).run(tenantId, SCALE_TENANT_SLUG, "Scale bench", now - DAY_MS * 8);

  timed("refresh_tokens", rows, (i) => {
    const at = created(i, rows);
    // Families of up to 4 rotations: the first of each four is the login, the others its rotations.
    const id = timeOrderedId("rtk", at, i);
    const live = i % 4 === 3 || i === rows - 1;
    return {
      id,
      user_id: userOf(Math.floor(i / 4)),
      token_hash: sha256(random32()),
      family_id: timeOrderedId("rtk", created(i - (i % 4), rows), i - (i % 4)),
      parent_id: i % 4 === 0 ? null : timeOrderedId("rtk", created(i - 1, rows), i - 1),
      replaced_by_id: live ? null : timeOrderedId("rtk", created(i + 1, rows), i + 1),
      expires_at: at + 14 * DAY_MS,
      rotated_at: live ? null : created(i + 1, rows),
      ip: "203.0.113.7",
      user_agent: "scale-bench",
      created_at: at,
      session_started_at: created(i - (i % 4), rows),
    };
  });

  const apiTokenIndex = Math.floor(rows / 2);
  let apiToken;
  timed("api_tokens", rows, (i) => {
    const at = created(i, rows);
    const token = apiTokenText();
    if (i === apiTokenIndex) apiToken = { token, userId: userOf(i) };
    return {
      id: timeOrderedId("tok", at, i),
      user_id: userOf(i),
      nome: `scale token ${i}`,
      descricao: null,
      scope: i % 2 === 0 ? "read" : "write",
      permissions: null,
      allowed_ips: null,
      rate_limit: null,
      token_hash: sha256(token),
      token_start: token.slice(0, 10),
      created_at: at,
      expires_at: i % 2 === 0 ? null : at + 90 * DAY_MS,
    };
  });

  const inviteIndex = Math.floor(rows / 2);
  let inviteCode;
  timed("invites", rows, (i) => {
    const at = created(i, rows);
    const code = `eiv_${random32().toString("base64url")}`;
    if (i === inviteIndex) inviteCode = code;
    return {
      id: timeOrderedId("inv", at, i),
      code_hash: sha256(code),
      code_prefix: code.slice(0, 8),
      tipo_destino: "associado",
      role: "usuario",
      tenant_id: tenantId,
      nucleos: null,
      data_expiracao: at + 14 * DAY_MS,
      estado: "novo",
      created_by: userOf(i),
      created_at: at,
    };
  });

  let previous = { seq: 0, hash: "0".repeat(64) };
  timed("audit_logs", rows, (i) => {
    const at = created(i, rows);
    const user = userOf(i);
    const row = {
      id: timeOrderedId("aud", at, i),
      event: "login",
      result: "success",
      reason: null,
      actor_id: user,
      target_type: "user",
      target_id: user,
      tenant_id: null,
      ip: "203.0.113.7",
      user_agent: "scale-bench",
      request_id: timeOrderedId("req", at, i),
      client_request_id: null,
      metadata: "{}",
      created_at: at,
    };
    const seq = previous.seq + 1;
    previous = { seq, hash: chainHash(previous.hash, seq, row) };
    return { ...row, seq, hash: previous.hash };
  });
  db.prepare(
    "INSERT INTO audit_chain_heads (id, seq, hash, updated_at) VALUES ('audit', ?, ?, ?) " +
      "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, updated_at = excluded.updated_at",
  ).run(previous.seq, previous.hash, now);

  // No ANALYZE: a D1 database has no planner statistics until someone runs `PRAGMA optimize`, and
  // the indexes must be chosen without them (test/contract/query-plans.test.ts).
  db.exec(`PRAGMA journal_mode = ${journalMode}`);
  db.close();
  return {
    users,
    rows,
    username: scaleUsername(Math.floor(users / 2)),
    password: SCALE_PASSWORD,
    apiToken: apiToken.token,
    inviteCode,
    timings,
  };
}

/**
 * Inserts `count` rows built by `build(index)` into `table`, in one transaction. The table's
 * secondary indexes are dropped first and created again afterwards from their own stored SQL (the
 * migrations' definitions, unchanged): building an index by sorting is many times faster than
 * inserting a million random hashes into a B-tree one by one.
 */
function insertAll(db, table, count, build) {
  if (count === 0) return;
  const indexes = db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL")
    .all(table);
  // build(0) once: a builder may carry state from row to row (the audit chain).
  const first = build(0);
  const columns = Object.keys(first);
  const tuple = `(${columns.map(() => "?").join(", ")})`;
  const statementFor = (size) =>
    db.prepare(`INSERT INTO ${table} (${columns.join(", ")}) VALUES ${Array(size).fill(tuple).join(", ")}`);
  const full = statementFor(ROWS_PER_STATEMENT);
  db.exec("BEGIN");
  try {
    for (const index of indexes) db.exec(`DROP INDEX "${index.name}"`);
    for (let start = 0; start < count; start += ROWS_PER_STATEMENT) {
      const size = Math.min(ROWS_PER_STATEMENT, count - start);
      const values = [];
      for (let i = start; i < start + size; i++) {
        const row = i === 0 ? first : build(i);
        for (const column of columns) values.push(row[column]);
      }
      (size === ROWS_PER_STATEMENT ? full : statementFor(size)).run(...values);
    }
    for (const index of indexes) db.exec(index.sql);
    db.exec("COMMIT");
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}

const RANDOM_POOL_BYTES = 32 * 4096;
let randomPool = Buffer.alloc(0);
let randomOffset = 0;

/** 32 random bytes, from a pool refilled 4,096 draws at a time (one randomBytes call per draw is slow). */
function random32() {
  if (randomOffset === randomPool.length) {
    randomPool = randomBytes(RANDOM_POOL_BYTES);
    randomOffset = 0;
  }
  randomOffset += 32;
  return randomPool.subarray(randomOffset - 32, randomOffset);
}

function sha256(data) {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * src/platform/ids.ts's format (48 bits of milliseconds, 80 more bits, Crockford base32), with the
 * row index in place of the random bits: ids are unique, and the id of row `i` can be computed
 * again (a refresh token's family and parent).
 */
function timeOrderedId(prefix, ms, index) {
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(ms, 0, 6);
  bytes.writeUInt32BE(index >>> 0, 8);
  let output = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      output += CROCKFORD[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  output += CROCKFORD[(buffer << (5 - bits)) & 31];
  return `${prefix}_${output}`;
}

/** A token in src/features/api-tokens/token-format.ts's format: eat_, 32 random bytes, CRC-32. */
function apiTokenText() {
  const body = `eat_${random32().toString("base64url")}`;
  let value = crc32(body);
  let checksum = "";
  for (let position = 0; position < 6; position++) {
    checksum = BASE62[value % 62] + checksum;
    value = Math.floor(value / 62);
  }
  return `${body}${checksum}`;
}

/** src/features/audit/chain.ts's linkHash, synchronously. */
function chainHash(prevHash, seq, row) {
  return sha256(
    JSON.stringify([
      "edge-auth/audit-chain/v1",
      seq,
      prevHash,
      row.id,
      row.event,
      row.result,
      row.reason,
      row.actor_id,
      row.target_type,
      row.target_id,
      row.tenant_id,
      row.ip,
      row.user_agent,
      row.request_id,
      row.client_request_id,
      row.metadata,
      row.created_at,
    ]),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { state: { type: "string" }, rows: { type: "string", default: "1000000" } },
  });
  if (!values.state) throw new Error("usage: node bench/scale-seed.mjs --state <dir> [--rows N]");
  const started = performance.now();
  const seeded = await seedScale(values.state, { rows: Number(values.rows) });
  console.log(JSON.stringify({ ...seeded, seconds: (performance.now() - started) / 1000 }, null, 2));
}
