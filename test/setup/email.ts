import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { unstable_readConfig } from "wrangler";
import { testTls } from "./test-tls";

/** The local SMTP server the SMTP transport tests talk to (see smtp-server.py). */
export interface SmtpTestServer {
  /** Address of every port; `localhost` is the name the test certificate carries. */
  host: string;
  tlsHost: string;
  ports: { plain: number; login: number; starttls: number; smtps: number; http: number };
  user: string;
  password: string;
}

/** What wrangler.toml says about a queue consumer, so tests can check code agrees. */
export interface QueueSettings {
  queue: string;
  maxRetries: number | undefined;
  deadLetterQueue: string | undefined;
}

declare module "vitest" {
  export interface ProvidedContext {
    smtpServer: SmtpTestServer;
    emailQueue: QueueSettings;
    webhookQueue: QueueSettings;
  }
}

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "smtp-server.py");
const START_TIMEOUT_MS = 20_000;

/** The first Python 3 that has aiosmtpd (Debian's python3-aiosmtpd lives in /usr/bin/python3). */
function findPython(): string {
  const candidates = [process.env.SMTP_TEST_PYTHON, "/usr/bin/python3", "python3"].filter(
    (candidate): candidate is string => Boolean(candidate),
  );
  const found = candidates.find(
    (candidate) => spawnSync(candidate, ["-c", "import aiosmtpd"], { stdio: "ignore" }).status === 0,
  );
  if (!found) {
    throw new Error("No python3 with aiosmtpd found; run .ci/run or apt-get install python3-aiosmtpd");
  }
  return found;
}

function waitForPorts(child: ChildProcess): Promise<SmtpTestServer["ports"]> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => fail(new Error("timed out")), START_TIMEOUT_MS);
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(new Error(`SMTP test server did not start: ${error.message}\n${stderr}`));
    };
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const newline = stdout.indexOf("\n");
      if (newline < 0) return;
      clearTimeout(timer);
      resolve(JSON.parse(stdout.slice(0, newline)));
    });
    child.on("error", fail);
    child.on("exit", (code) => fail(new Error(`exited with ${code}`)));
  });
}

function queueSettings(queue: string): QueueSettings {
  const config = unstable_readConfig({ config: "wrangler.toml" }, { hideWarnings: true });
  const consumer = config.queues.consumers?.find((candidate: { queue: string }) => candidate.queue === queue);
  if (!consumer) throw new Error(`wrangler.toml has no consumer for ${queue}`);
  return {
    queue: consumer.queue,
    maxRetries: consumer.max_retries,
    deadLetterQueue: consumer.dead_letter_queue,
  };
}

/**
 * Starts one aiosmtpd process for the run (it exits by itself if this process dies) and hands its
 * ports and credentials to the workers pool; stops it by PID at teardown.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  project.provide("emailQueue", queueSettings("edge-auth-email"));
  project.provide("webhookQueue", queueSettings("edge-auth-webhooks"));
  const tls = testTls();
  const user = "edge-auth-test";
  const password = randomBytes(18).toString("base64url");
  const child = spawn(
    findPython(),
    // `--password=…` in one argument: a base64url password starting with "-" would read as an option.
    [
      SCRIPT,
      "--user",
      user,
      `--password=${password}`,
      "--cert",
      tls.serverCert,
      "--key",
      tls.serverKey,
    ].concat(["--parent-pid", String(process.pid)]),
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  try {
    const ports = await waitForPorts(child);
    project.provide("smtpServer", { host: "127.0.0.1", tlsHost: "localhost", ports, user, password });
  } catch (error) {
    child.kill("SIGTERM");
    throw error;
  }
  return () => {
    child.kill("SIGTERM");
  };
}
