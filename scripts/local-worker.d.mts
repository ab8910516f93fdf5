/** Types of scripts/local-worker.mjs for the TypeScript callers (test/setup/dev-server.ts). */

export interface LocalWorker {
  /** Base URL, e.g. http://127.0.0.1:8787 (no trailing slash). */
  url: string;
  /** The last 64 KiB of the server's stdout and stderr. */
  output(): string;
  /** Stops the whole process group: SIGTERM, then SIGKILL for whatever is left. */
  stop(): Promise<void>;
}

export interface LocalWorkerOptions {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  url: string;
  readyTimeoutMs?: number;
}

export function freePort(): Promise<number>;
export function withProjectBin(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
export function startLocalWorker(options: LocalWorkerOptions): Promise<LocalWorker>;
