import { consumeEmailBatch } from "../features/email/consumer";
import { createEmailSender } from "../features/email/services";
import { consumeWebhookBatch } from "../features/webhooks/consumer";
import { DEFAULT_WEBHOOK_TIMEOUT_MS } from "../features/webhooks/deliver";
import { WebhookDeliveryRepository } from "../features/webhooks/deliveries";
import { secretBoxCipher } from "../features/webhooks/secret-box-cipher";
import type { PlatformDeps } from "../platform/deps";
import { createLogger, logLevelOf } from "../platform/logger";
import { backgroundContext, createShared } from "../services";

/** Queue names of wrangler.toml's `[[queues.consumers]]`; the handler dispatches on them. */
export const QUEUES = { email: "edge-auth-email", webhooks: "edge-auth-webhooks" } as const;

/** A batch from a queue without a consumer yet is retried after this long, never acknowledged. */
const UNHANDLED_RETRY_DELAY_SECONDS = 300;

/**
 * The Worker's `queue` handler: builds the shared services for the batch with `createShared`, and
 * only what the consumer of `batch.queue` needs on top (the e-mail sender and its transport, the
 * webhook delivery log and payload cipher exist here only). A batch from a queue nobody consumes
 * (a renamed queue) is logged as an error and retried, so its messages end in that queue's
 * dead-letter queue instead of being silently dropped. Metrics are flushed before it returns, like
 * the cron handler's.
 */
export function createQueueHandler(deps: PlatformDeps) {
  return async (batch: MessageBatch<unknown>, env: Env): Promise<void> => {
    const logger = createLogger(logLevelOf(env.LOG_LEVEL), { queue: batch.queue });
    const shared = createShared(env, deps, logger, backgroundContext(deps));
    try {
      switch (batch.queue) {
        case QUEUES.email:
          await consumeEmailBatch(batch, {
            sender: createEmailSender(shared, env),
            metrics: shared.metrics,
            random: deps.random,
            logger,
            maxRetries: shared.config.mail.maxRetries,
            cipher: await shared.secretBoxes.data(),
          });
          return;
        case QUEUES.webhooks:
          await consumeWebhookBatch(batch, {
            deliveries: new WebhookDeliveryRepository(shared.db),
            cipher: secretBoxCipher(await shared.secretBoxes.data()),
            secrets: shared.config.webhooks.secrets,
            url: shared.config.webhooks.url,
            // Bound to the global: workerd's fetch refuses to run with another `this`.
            fetch: (url, init) => fetch(url, init),
            metrics: shared.metrics,
            random: deps.random,
            clock: shared.clock,
            logger,
            maxRetries: shared.config.webhooks.maxRetries,
            timeoutMs: DEFAULT_WEBHOOK_TIMEOUT_MS,
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
      await shared.metrics.flush();
    }
  };
}
