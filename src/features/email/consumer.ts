import { type BackoffPolicy, isFinalAttempt, retryDelaySeconds } from "../../platform/backoff";
import type { Logger } from "../../platform/logger";
import type { RandomSource } from "../../platform/random";
import type { MetricsRecorder } from "../metrics/recorder";
import { maskAddresses, recipientHash } from "./address";
import { openEmail, QueuedEmailSchema, type TextCipher } from "./message";
import type { EmailSender } from "./sender";
import { EmailRenderError } from "./templates";
import { SmtpError } from "./transports/smtp/errors";

/** Retry delays of failed sends: 30–60 s, 60–120 s, … capped at 30–60 min. */
export const EMAIL_RETRY_BACKOFF: BackoffPolicy = { baseSeconds: 60, maxSeconds: 3600 };

/** The dead-letter queue of `edge-auth-email` (wrangler.toml), named in the final-failure log. */
export const EMAIL_DEAD_LETTER_QUEUE = "edge-auth-email-dlq";

/**
 * What the consumer records with: the typed recorder of `services.metrics`, narrowed. It counts
 * `tokens_emails_sent_total` (delivered), `tokens_emails_failed_total` (final attempt failed:
 * dead-lettered), `tokens_emails_retried_total` (a failed attempt that will be retried) and
 * `tokens_emails_poison_total` (invalid body or data, dropped), labelled by template and transport.
 * The caller flushes it.
 */
export type EmailMetrics = Pick<MetricsRecorder, "increment">;

export interface EmailConsumerDeps {
  sender: EmailSender;
  metrics: EmailMetrics;
  random: RandomSource;
  logger: Logger;
  /** `max_retries` of the e-mail queue consumer: the attempt after the last retry is final. */
  maxRetries: number;
  /** Opens the sealed data of each body (`shared.secretBoxes.data()`). */
  cipher: Pick<TextCipher, "open">;
}

/** An error as logs may show it: name, SMTP step and code, and text with addresses masked. */
function describe(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: maskAddresses(String(error)) };
  const smtp = error instanceof SmtpError ? { stage: error.stage, replyCode: error.replyCode } : {};
  return { name: error.name, message: maskAddresses(error.message), ...smtp };
}

/**
 * The e-mail Queue consumer: validates each body, opens its sealed data, renders and sends it, and
 * acknowledges or retries each message on its own. Poison (a body that is not an e-mail message,
 * data that does not fit its template) is logged and acknowledged, never retried; data that does
 * not open (a key no longer configured) is retried and dead-lettered, so it can be replayed. A failed send is retried with
 * exponential backoff and jitter; on the final attempt the failure is logged and counted and the
 * retry hands the message to the dead-letter queue. Nothing logged carries the body, the token or
 * the recipient's address (only its hash).
 */
export async function consumeEmailBatch(
  batch: MessageBatch<unknown>,
  deps: EmailConsumerDeps,
): Promise<void> {
  await Promise.all(batch.messages.map((message) => consumeMessage(message, deps)));
}

async function consumeMessage(message: Message<unknown>, deps: EmailConsumerDeps): Promise<void> {
  const transport = deps.sender.transportName;
  const parsed = QueuedEmailSchema.safeParse(message.body);
  if (!parsed.success) {
    deps.logger.error("email message dropped as poison: the body is not an e-mail message", {
      queueMessageId: message.id,
      attempts: message.attempts,
      invalidFields: parsed.error.issues.map((issue) => issue.path.join(".") || "(body)"),
    });
    deps.metrics.increment("tokens_emails_poison_total", { template: "unknown", transport });
    message.ack();
    return;
  }
  const queued = parsed.data;
  const labels = { template: queued.template, transport };
  const logger = deps.logger.child({
    requestId: queued.requestId,
    traceId: queued.traceId,
    emailId: queued.id,
    template: queued.template,
    transport,
    attempts: message.attempts,
    recipientHash: await recipientHash(queued.to),
  });

  const retryOrDeadLetter = (reason: Record<string, unknown>, delaySeconds?: number) => {
    if (isFinalAttempt(message.attempts, deps.maxRetries)) {
      logger.error(`email not sent after its final attempt: moving to ${EMAIL_DEAD_LETTER_QUEUE}`, {
        maxRetries: deps.maxRetries,
        ...reason,
      });
      deps.metrics.increment("tokens_emails_failed_total", labels);
      message.retry();
      return;
    }
    const delay = delaySeconds ?? retryDelaySeconds(message.attempts, deps.random, EMAIL_RETRY_BACKOFF);
    logger.warn("email not sent: retrying", { delaySeconds: delay, ...reason });
    deps.metrics.increment("tokens_emails_retried_total", labels);
    message.retry({ delaySeconds: delay });
  };

  const opened = await openEmail(queued, deps.cipher);
  if (!opened.ok && opened.reason === "invalid") {
    logger.error("email message dropped as poison: its sealed data is not template data");
    deps.metrics.increment("tokens_emails_poison_total", labels);
    message.ack();
    return;
  }
  if (!opened.ok) {
    // The key it was sealed with is not configured (any more), or the body was altered: kept for
    // a replay once the key is back, through the retries and the dead-letter queue.
    retryOrDeadLetter({ error: { message: "the sealed data does not open with the configured keys" } });
    return;
  }

  try {
    const outcome = await deps.sender.deliver(opened.message);
    switch (outcome.status) {
      case "sent":
        logger.info("email sent");
        deps.metrics.increment("tokens_emails_sent_total", labels);
        message.ack();
        return;
      case "duplicate":
        logger.info("email already sent by an earlier delivery: acknowledged without sending");
        message.ack();
        return;
      case "busy":
        retryOrDeadLetter(
          { error: { message: "another delivery of this e-mail is in flight" } },
          outcome.retryAfterSeconds,
        );
        return;
    }
  } catch (error) {
    if (error instanceof EmailRenderError) {
      logger.error("email message dropped as poison: its data does not fit the template", {
        invalidFields: error.fields,
      });
      deps.metrics.increment("tokens_emails_poison_total", labels);
      message.ack();
      return;
    }
    retryOrDeadLetter({ error: describe(error) });
  }
}
