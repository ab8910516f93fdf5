import { AuditChainRepository } from "../features/audit/chain-repository";
import { AuditChain } from "../features/audit/chain-service";
import type { Clock } from "../platform/clock";
import { defaultPlatformDeps, type PlatformDeps } from "../platform/deps";
import { createLogger, logLevelOf } from "../platform/logger";
import { backgroundContext, createShared } from "../services";
import { runCleanup } from "./cleanup/run-cleanup";
import type { CleanupStep } from "./cleanup/steps";

/** Pages of `CLEANUP_BATCH_SIZE` audit rows one cron run links into the hash chain at most. */
export const AUDIT_SEAL_MAX_PAGES = 10;

/**
 * The cron entry point: builds the shared services like a request does, with the clock fixed at the
 * trigger's `scheduledTime` (so a retried or overlapping run computes the same cutoffs), runs the
 * cleanup steps within the configured budget, seals new audit rows into the hash chain, then
 * flushes metrics before returning. A failed step or seal makes the invocation fail too, so the
 * Cloudflare dashboard shows it.
 *
 * @example export default { fetch, scheduled: createScheduledHandler(CLEANUP_STEPS) };
 */
export function createScheduledHandler(
  steps: readonly CleanupStep[],
  deps: PlatformDeps = defaultPlatformDeps,
): ExportedHandlerScheduledHandler<Env> {
  return async (controller, env) => {
    const scheduledAt = new Date(controller.scheduledTime);
    const clock: Clock = { now: () => new Date(scheduledAt) };
    const logger = createLogger(logLevelOf(env.LOG_LEVEL), {
      cron: controller.cron,
      scheduledTime: scheduledAt.toISOString(),
    });
    const services = createShared(env, { ...deps, clock }, logger, backgroundContext(deps));
    try {
      const report = await runCleanup(services, steps, services.config.cleanup);
      const chain = new AuditChain(new AuditChainRepository(services.db), clock, logger);
      await chain.sealBacklog(services.config.cleanup.batchSize, AUDIT_SEAL_MAX_PAGES);
      if (report.outcome === "failed") {
        const failed = report.steps.filter((step) => step.error !== undefined).map((step) => step.step);
        throw new Error(`cleanup steps failed: ${failed.join(", ")}`);
      }
    } finally {
      await services.metrics.flush();
    }
  };
}
