// Benchmarks the account routes through `wrangler dev`: login (next to the bare Argon2id rate,
// measured in the same run), refresh, /auth/me and /auth/introspect, each as a ratio to /healthz.
//
//   npm exec -- node bench/accounts.mjs        (Node 22 from node_modules; wrk must be installed)
//   BENCH_DURATION=10 BENCH_CONNECTIONS=8 BENCH_THREADS=2 npm exec -- node bench/accounts.mjs
//
// Self-contained: a temp dir holds the secrets (from scripts/dev-secrets.mjs; .dev.vars is never
// touched), the local D1 and wrk's scripts; `wrangler dev` runs with the settings ARCHITECTURE.md
// gives for benches and is stopped by the PID this script started. Absolute numbers depend on
// the machine; compare ratios within one run.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateDevSecrets, toDotenv } from "../scripts/dev-secrets.mjs";

const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const THREADS = Number(process.env.BENCH_THREADS ?? 2);
const WRANGLER = join("node_modules", "wrangler", "bin", "wrangler.js");
const ARGON2_WASM = join("node_modules", "@phi-ag", "argon2", "dist", "argon2.wasm");
const ARGON2_PARAMS = { memoryKib: 19456, iterations: 2, parallelism: 1 };

const quietEnv = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  X_LOCAL_OBSERVABILITY: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
};

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForHealthz(base, server) {
  for (let i = 0; i < 300; i++) {
    if (server.exitCode !== null) throw new Error(`wrangler dev exited with ${server.exitCode}`);
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error("wrangler dev did not answer /healthz within 60 s");
}

async function post(base, path, body, headers = {}) {
  const response = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${text}`);
  return JSON.parse(text);
}

const lua = (value) => JSON.stringify(value);

function postScript(path, body, headers = {}) {
  return `
wrk.method = "POST"
wrk.path = ${lua(path)}
wrk.body = ${lua(JSON.stringify(body))}
wrk.headers["content-type"] = "application/json"
${Object.entries(headers)
  .map(([name, value]) => `wrk.headers[${lua(name)}] = ${lua(value)}`)
  .join("\n")}
`;
}

// Every refresh needs an unused token: each wrk thread keeps a queue of the tokens it owns,
// sends one per request and queues the new token from each response, so chains never collide.
function refreshScript(tokens) {
  return `
local tokens = { ${tokens.map(lua).join(", ")} }
local threads = ${THREADS}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end
local queue = {}
local last
function init(args)
  for i, token in ipairs(tokens) do
    if (i - 1) % threads == id - 1 then table.insert(queue, token) end
  end
end
function request()
  local token = table.remove(queue, 1) or last
  last = token
  return wrk.format("POST", "/auth/refresh", { ["content-type"] = "application/json" },
    '{"refreshToken":"' .. token .. '"}')
end
function response(status, headers, body)
  if status == 200 then
    local token = body:match('"refreshToken":"([^"]+)"')
    if token then table.insert(queue, token) end
  end
end
`;
}

function toMs(value, unit) {
  return Number(value) * { us: 0.001, ms: 1, s: 1000 }[unit];
}

function runWrk(name, url, { script, headers = {} } = {}, dir) {
  const args = ["-t", String(THREADS), "-c", String(CONNECTIONS), "-d", `${DURATION}s`, "--latency"];
  for (const [header, value] of Object.entries(headers)) args.push("-H", `${header}: ${value}`);
  if (script) {
    const file = join(dir, `${name}.lua`);
    writeFileSync(file, script);
    args.push("-s", file);
  }
  const result = spawnSync("wrk", [...args, url], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`wrk failed for ${name}: ${result.stderr || result.stdout}`);
  const out = result.stdout;
  const latency = (p) => {
    const match = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(out);
    return match ? toMs(match[1], match[2]) : Number.NaN;
  };
  return {
    name,
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN),
    requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? 0),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
    socketErrors: /Socket errors: (.*)/.exec(out)?.[1] ?? "",
    p50: latency(50),
    p99: latency(99),
  };
}

/** The same Argon2id wasm the Worker uses, in this process: hashes and verifications per second. */
async function bareArgon2Rate(iterations = 20) {
  const { instance } = await WebAssembly.instantiate(readFileSync(ARGON2_WASM), {});
  const wasm = instance.exports;
  wasm._initialize();
  const bytes = (data) => {
    const ptr = wasm.malloc(data.length + 1);
    new Uint8Array(wasm.memory.buffer).set(data, ptr);
    return ptr;
  };
  const { memoryKib: m, iterations: t, parallelism: p } = ARGON2_PARAMS;
  const password = new TextEncoder().encode("correct horse battery staple");
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const encodedLength = wasm.argon2_encodedlen(t, m, p, salt.length, 32, 2);
  const [pwd, saltPtr, hashPtr, encodedPtr] = [
    bytes(password),
    bytes(salt),
    wasm.malloc(32),
    wasm.malloc(encodedLength),
  ];
  const hashOnce = () => {
    const code = wasm.argon2_hash(
      t,
      m,
      p,
      pwd,
      password.length,
      saltPtr,
      salt.length,
      hashPtr,
      32,
      encodedPtr,
      encodedLength,
      2,
      0x13,
    );
    if (code !== 0) throw new Error(`argon2_hash failed: ${code}`);
  };
  hashOnce();
  let started = performance.now();
  for (let i = 0; i < iterations; i++) hashOnce();
  const hashMs = (performance.now() - started) / iterations;
  started = performance.now();
  for (let i = 0; i < iterations; i++) {
    if (wasm.argon2_verify(encodedPtr, pwd, password.length, 2) !== 0)
      throw new Error("argon2_verify failed");
  }
  const verifyMs = (performance.now() - started) / iterations;
  return { hashMs, verifyMs, hashesPerSecond: 1000 / hashMs, verificationsPerSecond: 1000 / verifyMs };
}

function stop(server) {
  if (server.exitCode !== null || server.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    server.once("exit", resolve);
    // wrangler runs workerd as a child: signal the process group this script created.
    process.kill(-server.pid, "SIGTERM");
    setTimeout(() => {
      if (server.exitCode === null && server.signalCode === null) process.kill(-server.pid, "SIGKILL");
    }, 5000).unref();
  });
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "edge-auth-bench-"));
  const envFile = join(dir, "bench.vars");
  writeFileSync(envFile, toDotenv(generateDevSecrets()), { mode: 0o600 });
  const persist = join(dir, "state");
  const migrate = spawnSync(
    process.execPath,
    [WRANGLER, "d1", "migrations", "apply", "DB", "--local", "--persist-to", persist],
    { env: quietEnv, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
  if (migrate.status !== 0) throw new Error(`migrations failed: ${migrate.stderr || migrate.stdout}`);

  const [port, inspectorPort] = [await freePort(), await freePort()];
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(
    process.execPath,
    [
      WRANGLER,
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(inspectorPort),
      "--log-level",
      "warn",
      "--persist-to",
      persist,
      "--env-file",
      envFile,
      "--show-interactive-dev-session=false",
    ],
    { env: quietEnv, stdio: ["ignore", "inherit", "inherit"], detached: true },
  );
  const cleanup = async () => {
    await stop(server);
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("SIGINT", () => cleanup().then(() => process.exit(130)));

  try {
    await waitForHealthz(base, server);
    const account = {
      username: "bench.user",
      email: "bench.user@example.com",
      password: "a bench passphrase that is long",
    };
    const registered = await post(base, "/auth/register", account);
    const caller = registered.accessToken;
    const chains = [];
    for (let i = 0; i < CONNECTIONS; i++) {
      chains.push(
        (await post(base, "/auth/login", { identifier: account.username, password: account.password }))
          .refreshToken,
      );
    }

    const results = [
      runWrk("healthz", `${base}/healthz`, {}, dir),
      runWrk(
        "login",
        `${base}/auth/login`,
        {
          script: postScript("/auth/login", { identifier: account.username, password: account.password }),
        },
        dir,
      ),
      runWrk("refresh", `${base}/auth/refresh`, { script: refreshScript(chains) }, dir),
      runWrk("me", `${base}/auth/me`, { headers: { authorization: `Bearer ${caller}` } }, dir),
      runWrk(
        "introspect",
        `${base}/auth/introspect`,
        {
          script: postScript(
            "/auth/introspect",
            { token: registered.refreshToken },
            { authorization: `Bearer ${caller}` },
          ),
        },
        dir,
      ),
    ];
    const argon2 = await bareArgon2Rate();

    const healthz = results[0].rps;
    console.log(
      `\nAccount routes through wrangler dev (${DURATION}s each, wrk -t${THREADS} -c${CONNECTIONS}; refresh: one token chain per connection)\n`,
    );
    console.log("endpoint     req/s     p50 ms   p99 ms   vs /healthz   non-2xx");
    for (const r of results) {
      console.log(
        `${r.name.padEnd(11)} ${r.rps.toFixed(0).padStart(7)}  ${r.p50.toFixed(2).padStart(8)} ${r.p99.toFixed(2).padStart(8)}   ${(r.rps / healthz).toFixed(3).padStart(10)}   ${String(r.non2xx).padStart(7)}${r.socketErrors ? `  socket errors: ${r.socketErrors}` : ""}`,
      );
    }
    const login = results[1].rps;
    console.log(
      `\nBare Argon2id (same wasm, m=${ARGON2_PARAMS.memoryKib} KiB t=${ARGON2_PARAMS.iterations} p=${ARGON2_PARAMS.parallelism}, one thread, in Node ${process.version}):`,
    );
    console.log(
      `  hash ${argon2.hashMs.toFixed(1)} ms (${argon2.hashesPerSecond.toFixed(1)}/s), verify ${argon2.verifyMs.toFixed(1)} ms (${argon2.verificationsPerSecond.toFixed(1)}/s)`,
    );
    console.log(
      `  login ${login.toFixed(1)} req/s = ${((login / argon2.verificationsPerSecond) * 100).toFixed(0)}% of the bare verification rate (each login verifies once; workerd runs one isolate thread)`,
    );
    const failed = results.filter((r) => r.requests === 0 || r.non2xx > r.requests * 0.01);
    if (failed.length > 0) {
      throw new Error(
        `endpoints with errors: ${failed.map((r) => `${r.name} (${r.non2xx}/${r.requests} non-2xx)`).join(", ")}`,
      );
    }
  } finally {
    await cleanup();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
