import type { Clock } from "../platform/clock";
import { defaultPlatformDeps, type PlatformDeps } from "../platform/deps";
import { createLogger, logLevelOf } from "../platform/logger";
import { backgroundContext, createShared } from "../services";
import { runCleanup } from "./cleanup/run-cleanup";
import type { CleanupStep } from "./cleanup/steps";

/**
 * The cron entry point: builds the shared services like a request does, with the clock fixed at the
 * trigger's `scheduledTime` (so a retried or overlapping run computes the same cutoffs), runs the
 * cleanup steps within the configured budget, then flushes metrics before
 * returning. A failed step makes the invocation fail too, so the Cloudflare dashboard shows it.
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
      if (report.outcome === "failed") {
        const failed = report.steps.filter((step) => step.error !== undefined).map((step) => step.step);
        throw new Error(`cleanup steps failed: ${failed.join(", ")}`);
      }
    } finally {
      await services.metrics.flush();
    }
  };
}
