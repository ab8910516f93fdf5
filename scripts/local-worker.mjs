// Starting and stopping a local Worker server (`wrangler dev`, directly or through scripts/dev.mjs)
// for the e2e tests and the benchmark: own process group, bounded wait for GET /healthz, captured
// output for failures, and a stop that leaves nothing running.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const SUPERVISOR = join(ROOT, "scripts", "stop-with-parent.mjs");
const OUTPUT_LIMIT = 64 * 1024;
const POLL_MS = 250;
const STOP_GRACE_MS = 10_000;

/** A free TCP port on the loopback interface. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}

/** `env` with the project's node_modules/.bin first on PATH, so `node` is the Node 22 devDependency. */
export function withProjectBin(env) {
  return { ...env, PATH: [join(ROOT, "node_modules", ".bin"), env.PATH ?? ""].join(delimiter) };
}

/**
 * Runs `command args` (through scripts/stop-with-parent.mjs, in a new process group) and resolves
 * once `${url}/healthz` answers 200. Rejects with the captured output if it exits or is not ready
 * within `readyTimeoutMs`.
 */
export async function startLocalWorker({ command, args, env, url, readyTimeoutMs = 120_000 }) {
  const child = spawn(process.execPath, [SUPERVISOR, command, ...args], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const capture = (chunk) => {
    output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
  };
  child.stdout.on("data", capture);
  child.stderr.on("data", capture);
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve(signal ?? code)));
  let exitStatus;
  exited.then((status) => {
    exitStatus = status;
  });

  const signalGroup = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch (error) {
      if (error.code !== "ESRCH") throw error;
    }
  };
  const stop = async () => {
    if (exitStatus === undefined) {
      signalGroup("SIGTERM");
      let timer;
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS)))]);
      clearTimeout(timer);
    }
    // Anything of the group that outlived the supervisor.
    signalGroup("SIGKILL");
  };

  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (exitStatus !== undefined) {
      await stop();
      throw new Error(`${command} exited (${exitStatus}) before ${url}/healthz answered:\n${output}`);
    }
    if (await answers(`${url}/healthz`)) return { url, output: () => output, stop };
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  await stop();
  throw new Error(`${url}/healthz did not answer within ${readyTimeoutMs} ms:\n${output}`);
}

async function answers(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}
