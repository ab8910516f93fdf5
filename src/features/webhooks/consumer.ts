import { type BackoffPolicy, isFinalAttempt, retryDelaySeconds } from "../../platform/backoff";
import type { Clock } from "../../platform/clock";
import { hexEncode } from "../../platform/encoding";
import type { Logger } from "../../platform/logger";
import type { RandomSource } from "../../platform/random";
import type { MetricsRecorder } from "../metrics/recorder";
import { deliverWebhook, type WebhookFetch } from "./deliver";
import type { WebhookDeliveryRepository } from "./deliveries";
import { receiverLabel } from "./destination";
import { openWebhookPayload, type PayloadCipher, type WebhookMessage, WebhookMessageSchema } from "./events";
import { webhookHeaders } from "./signing";

/**
 * Retry delays of failed deliveries: 30–60 s, 60–120 s, … With the queue's `max_retries = 8` the
 * last retry comes 1–2 h after the one before and about 2–4 h after the first attempt, long
 * enough to ride out a receiver's deploy or short outage.
 */
export const WEBHOOK_RETRY_BACKOFF: BackoffPolicy = { baseSeconds: 60, maxSeconds: 21_600 };

/** The dead-letter queue of `edge-auth-webhooks` (wrangler.toml), named in the final-failure log. */
export const WEBHOOK_DEAD_LETTER_QUEUE = "edge-auth-webhooks-dlq";

/**
 * What the consumer records with: the typed recorder of `services.metrics`, narrowed. It counts
 * `tokens_webhooks_sent_total` (a 2xx), `tokens_webhooks_failed_total` (final attempt failed:
 * dead-lettered), `tokens_webhooks_retried_total` (a failed attempt that will be retried), all by
 * event, `tokens_webhooks_poison_total` (invalid body or payload, dropped), and observes every
 * attempt's `tokens_webhook_latency_seconds`. The caller flushes it.
 */
export type WebhookMetrics = Pick<MetricsRecorder, "increment" | "observe">;

/** Everything `consumeWebhookBatch` uses, passed explicitly (the composition root builds it). */
export interface WebhookConsumerDeps {
  deliveries: WebhookDeliveryRepository;
  cipher: PayloadCipher;
  /** `parseWebhookSecrets(TOKEN_WEBHOOK_SECRET)`: each signs; none means unsigned deliveries. */
  secrets: readonly string[];
  /** `TOKENS_WEBHOOK_URL` after `checkWebhookUrl`; undefined when webhooks are off. */
  url: URL | undefined;
  fetch: WebhookFetch;
  metrics: WebhookMetrics;
  random: RandomSource;
  clock: Clock;
  logger: Logger;
  /** `max_retries` of the webhook queue consumer: the attempt after the last retry is final. */
  maxRetries: number;
  /** Bound on each attempt's wait for the receiver. */
  timeoutMs: number;
}

const W3C_TRACE_ID = /^[0-9a-f]{32}$/;

/** The caller's request and trace ids, so a receiver can quote them; traceparent when W3C-shaped. */
function traceHeaders(message: WebhookMessage, random: RandomSource): Record<string, string> {
  const headers: Record<string, string> = {
    "x-request-id": message.requestId,
    "x-trace-id": message.traceId,
  };
  if (W3C_TRACE_ID.test(message.traceId) && /[^0]/.test(message.traceId)) {
    headers.traceparent = `00-${message.traceId}-${hexEncode(random.bytes(8))}-01`;
  }
  return headers;
}

/** An unexpected error as logs may show it: its name and message, never a payload. */
function describe(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error).slice(0, 200) };
  return { name: error.name, message: error.message.slice(0, 200) };
}

/**
 * The webhook Queue consumer: validates each body, opens its payload, records the event in the
 * delivery log, signs and delivers it, records the attempt, and acknowledges or retries each
 * message on its own. Poison (a body that is not a webhook message, a payload that is not its
 * event's) is logged and acknowledged, never retried. A failed attempt (non-2xx, redirect,
 * timeout, network error, or a payload the cipher cannot open) is retried with exponential
 * backoff and jitter; on the final attempt it is logged and counted, the log row is marked failed
 * and the retry hands the message to the dead-letter queue. An event the log shows as delivered
 * is acknowledged without sending again; two deliveries of one message racing may both send, and
 * receivers deduplicate by `webhook-id` as Standard Webhooks asks. With no URL configured every
 * message is acknowledged unsent. Nothing logged carries the payload or the invite's code.
 */
export async function consumeWebhookBatch(
  batch: MessageBatch<unknown>,
  deps: WebhookConsumerDeps,
): Promise<void> {
  const { url } = deps;
  if (!url) {
    deps.logger.info("webhook messages acknowledged unsent: no TOKENS_WEBHOOK_URL", {
      messages: batch.messages.length,
    });
    for (const message of batch.messages) message.ack();
    return;
  }
  await Promise.all(batch.messages.map((message) => consumeMessage(message, url, deps)));
}

async function consumeMessage(message: Message<unknown>, url: URL, deps: WebhookConsumerDeps): Promise<void> {
  const parsed = WebhookMessageSchema.safeParse(message.body);
  if (!parsed.success) {
    deps.logger.error("webhook message dropped as poison: the body is not a webhook message", {
      queueMessageId: message.id,
      attempts: message.attempts,
      invalidFields: parsed.error.issues.map((issue) => issue.path.join(".") || "(body)"),
    });
    deps.metrics.increment("tokens_webhooks_poison_total");
    message.ack();
    return;
  }
  const event = parsed.data;
  const labels = { event: event.event };
  const logger = deps.logger.child({
    requestId: event.requestId,
    traceId: event.traceId,
    eventId: event.eventId,
    event: event.event,
    attempts: message.attempts,
  });
  const final = isFinalAttempt(message.attempts, deps.maxRetries);

  const retryOrDeadLetter = (reason: Record<string, unknown>) => {
    if (final) {
      logger.error(`webhook not delivered after its final attempt: moving to ${WEBHOOK_DEAD_LETTER_QUEUE}`, {
        maxRetries: deps.maxRetries,
        ...reason,
      });
      deps.metrics.increment("tokens_webhooks_failed_total", labels);
      message.retry();
      return;
    }
    const delaySeconds = retryDelaySeconds(message.attempts, deps.random, WEBHOOK_RETRY_BACKOFF);
    logger.warn("webhook not delivered: retrying", { delaySeconds, ...reason });
    deps.metrics.increment("tokens_webhooks_retried_total", labels);
    message.retry({ delaySeconds });
  };

  try {
    const opened = await openWebhookPayload(event, deps.cipher);
    if (!opened.ok && opened.reason === "invalid") {
      logger.error("webhook message dropped as poison: its payload is not a valid payload of its event");
      deps.metrics.increment("tokens_webhooks_poison_total");
      message.ack();
      return;
    }
    if (!opened.ok) {
      retryOrDeadLetter({ error: { message: "the payload could not be opened: wrong key or altered" } });
      return;
    }
    // Receivers put credentials in the query or the path: the log keeps the origin only.
    const receiver = receiverLabel(url);
    const recorded = await deps.deliveries.record({
      eventId: event.eventId,
      event: event.event,
      subjectId: opened.payload.id,
      payloadSealed: event.sealedPayload,
      url: receiver,
      createdAt: deps.clock.now(),
    });
    if (!recorded && (await deps.deliveries.find(event.eventId))?.status === "delivered") {
      logger.info("webhook already delivered: acknowledged without sending again");
      message.ack();
      return;
    }

    const signed = await webhookHeaders(
      { eventId: event.eventId, timestamp: deps.clock.now(), body: opened.body },
      deps.secrets,
    );
    const result = await deliverWebhook(
      { url, body: opened.body, headers: { ...traceHeaders(event, deps.random), ...signed } },
      { fetch: deps.fetch, clock: deps.clock, timeoutMs: deps.timeoutMs },
    );
    deps.metrics.observe("tokens_webhook_latency_seconds", result.latencyMs / 1000);
    // Recording is bookkeeping: a delivered webhook is acknowledged even if the log write fails.
    await deps.deliveries
      .markAttempt(event.eventId, {
        outcome: result.ok ? "delivered" : final ? "failed" : "retrying",
        httpStatus: result.status ?? null,
        error: result.error ?? null,
        url: receiver,
        at: deps.clock.now(),
      })
      .catch((error: unknown) =>
        logger.warn("webhook attempt not recorded in the delivery log", { error: describe(error) }),
      );
    if (result.ok) {
      logger.info("webhook delivered", { status: result.status, latencyMs: result.latencyMs });
      deps.metrics.increment("tokens_webhooks_sent_total", labels);
      message.ack();
      return;
    }
    retryOrDeadLetter({
      status: result.status,
      error: { message: result.error },
      latencyMs: result.latencyMs,
    });
  } catch (error) {
    retryOrDeadLetter({ error: describe(error) });
  }
}
