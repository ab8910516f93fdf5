import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A throwaway PostgreSQL 15 cluster for the contract tests: initdb in a temp dir, started on a free
 * loopback port, migrated with migrations/pg, stopped and deleted by `stop()`. As root (CI) the
 * server runs as the `postgres` system user, because PostgreSQL refuses to run as root.
 */
export interface PostgresCluster {
  url: string;
  stop(): void;
}

const BIN_DIR = process.env.PG_BIN_DIR ?? "/usr/lib/postgresql/15/bin";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}

function asServerUser(command: string, args: string[]): string[] {
  const isRoot = process.getuid?.() === 0;
  return isRoot ? ["runuser", "-u", "postgres", "--", command, ...args] : [command, ...args];
}

function run(command: string, args: string[], check = true): void {
  const [bin, ...rest] = asServerUser(command, args);
  const result = spawnSync(bin!, rest, { encoding: "utf8" });
  if (check && result.status !== 0) throw new Error(`${command} failed: ${result.stderr || result.stdout}`);
}

export async function startPostgresCluster(): Promise<PostgresCluster> {
  if (!existsSync(join(BIN_DIR, "initdb"))) {
    throw new Error(
      `PostgreSQL 15 is not installed (${BIN_DIR}); run .ci/run or apt-get install postgresql-15`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), "edge-auth-pg-"));
  chmodSync(dir, 0o700);
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, "data");
  const port = await freePort();
  run(join(BIN_DIR, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  run(join(BIN_DIR, "pg_ctl"), ["-D", data, "-o", options, "-l", join(dir, "log"), "-w", "start"]);
  const stop = () => {
    run(join(BIN_DIR, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"], false);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    psql(`postgres://postgres:postgres@127.0.0.1:${port}/postgres`, ["-c", "CREATE DATABASE edge_auth"]);
    const url = `postgres://postgres:postgres@127.0.0.1:${port}/edge_auth`;
    applyPostgresMigrations(url);
    return { url, stop };
  } catch (error) {
    stop();
    throw error;
  }
}

function psql(url: string, args: string[]): void {
  const result = spawnSync(join(BIN_DIR, "psql"), [url, "-q", "-v", "ON_ERROR_STOP=1", ...args], {
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
}

/**
 * Migrates with the same script operators run (`npm run db:migrate:pg`), in a child Node process:
 * this file runs in the workers project's module runner, which resolves packages for workerd.
 */
export function applyPostgresMigrations(url: string): void {
  const script = join(import.meta.dirname, "../../scripts/migrate-postgres.mjs");
  const result = spawnSync(process.execPath, [script], {
    encoding: "utf8",
    env: { ...process.env, DATABASE_URL: url },
  });
  if (result.status !== 0) throw new Error(`migrations failed: ${result.stderr || result.stdout}`);
}
