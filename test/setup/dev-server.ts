import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { freePort, startLocalWorker, withProjectBin } from "../../scripts/local-worker.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    /** Base URL of the Worker the e2e project runs against, e.g. http://127.0.0.1:40123. */
    baseUrl: string;
  }
}

/**
 * Starts the Worker once for every e2e file, the way a newcomer does: `node scripts/dev.mjs`
 * (generated .dev.vars if missing, local D1 migrations, `wrangler dev`), with its local state in a
 * temp dir. The teardown stops the whole process group; if vitest itself dies,
 * scripts/stop-with-parent.mjs stops the server.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const persistDir = mkdtempSync(join(tmpdir(), "edge-auth-e2e-"));
  const port = await freePort();
  const removeState = () => rmSync(persistDir, { recursive: true, force: true });
  try {
    const worker = await startLocalWorker({
      command: "node",
      args: ["scripts/dev.mjs", "--port", String(port), "--ip", "127.0.0.1", "--persist-to", persistDir],
      env: { ...withProjectBin(process.env), WRANGLER_SEND_METRICS: "false" },
      url: `http://127.0.0.1:${port}`,
    });
    project.provide("baseUrl", worker.url);
    return async () => {
      await worker.stop();
      removeState();
    };
  } catch (error) {
    removeState();
    throw error;
  }
}
