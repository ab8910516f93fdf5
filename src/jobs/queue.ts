import { consumeEmailBatch } from "../features/email/consumer";
import { createLogger, logLevelOf } from "../platform/logger";
import { createServices, type PlatformDeps } from "../services";

/** Queue names of wrangler.toml's `[[queues.consumers]]`; the handler dispatches on them. */
export const QUEUES = { email: "edge-auth-email", webhooks: "edge-auth-webhooks" } as const;

/** A batch from a queue without a consumer yet is retried after this long, never acknowledged. */
const UNHANDLED_RETRY_DELAY_SECONDS = 300;

/**
 * The Worker's `queue` handler: builds the services for the batch with `createServices` and hands
 * it to the consumer of `batch.queue`. A batch from a queue nobody consumes yet (the webhooks
 * queue until its consumer exists, or a renamed queue) is logged as an error and retried, so its
 * messages end in that queue's dead-letter queue instead of being silently dropped. Metrics are
 * flushed before it returns, like the cron handler's.
 */
export function createQueueHandler(deps: PlatformDeps) {
  return async (batch: MessageBatch<unknown>, env: Env): Promise<void> => {
    const logger = createLogger(logLevelOf(env.LOG_LEVEL), { queue: batch.queue });
    const services = createServices(env, deps, logger);
    try {
      switch (batch.queue) {
        case QUEUES.email:
          await consumeEmailBatch(batch, {
            sender: services.emailSender,
            metrics: services.metrics,
            random: deps.random,
            logger,
            maxRetries: services.config.mail.maxRetries,
          });
          return;
        default:
          logger.error("no consumer for this queue: batch retried, not acknowledged", {
            messages: batch.messages.length,
            delaySeconds: UNHANDLED_RETRY_DELAY_SECONDS,
          });
          batch.retryAll({ delaySeconds: UNHANDLED_RETRY_DELAY_SECONDS });
      }
    } finally {
      // Nothing flushes after the handler returns (no HTTP middleware here): hand the counts over now.
      await services.metrics.flush();
    }
  };
}
