import type { Clock } from "../../platform/clock";
import { newId } from "../../platform/ids";
import type { RandomSource } from "../../platform/random";
import type { WebhookDelivery } from "./deliveries";
import { type PayloadCipher, sealWebhookMessage, type WebhookMessage, type WebhookPayload } from "./events";

/** An invite event as a feature reports it; the outbox adds `occurred_at`. */
export type InviteEventInput = WebhookPayload extends infer Payload
  ? Payload extends WebhookPayload
    ? Omit<Payload, "occurred_at">
    : never
  : never;

/** The producer side of webhooks: what features call. */
export interface WebhookOutbox {
  /** Whether `TOKENS_WEBHOOK_URL` is set: without it nothing is queued. */
  readonly enabled: boolean;
  /** Queues one event (a no-op when webhooks are off); returns its event id, or null when off. */
  enqueue(event: InviteEventInput): Promise<string | null>;
  /** Queues a logged event again, as it was sealed (a redelivery keeps its `webhook-id`). */
  resend(delivery: Pick<WebhookDelivery, "eventId" | "event" | "payloadSealed">): Promise<void>;
}

/** The request (or batch) identity every queued webhook carries to the consumer's logs. */
export interface WebhookTrace {
  requestId: string;
  traceId: string;
}

/**
 * Seals each event with the payload cipher (so the invite's code never sits in the Queue in
 * clear) and sends it to the webhook Queue, stamped with a fresh `evt_` id (the Standard Webhooks
 * `webhook-id`, stable across retries) and the trace of the request that caused it.
 */
export class QueueWebhookOutbox implements WebhookOutbox {
  constructor(
    private readonly queue: Queue<WebhookMessage>,
    private readonly url: URL | undefined,
    private readonly trace: WebhookTrace,
    private readonly clock: Clock,
    private readonly random: RandomSource,
    private readonly cipher: () => Promise<PayloadCipher>,
  ) {}

  get enabled(): boolean {
    return this.url !== undefined;
  }

  async enqueue(event: InviteEventInput): Promise<string | null> {
    if (!this.enabled) return null;
    const eventId = newId("event", this.clock, this.random);
    const payload: WebhookPayload = { ...event, occurred_at: this.clock.now().toISOString() };
    const message = await sealWebhookMessage({ eventId, payload, ...this.trace }, await this.cipher());
    await this.queue.send(message, { contentType: "json" });
    return eventId;
  }

  async resend(delivery: Pick<WebhookDelivery, "eventId" | "event" | "payloadSealed">): Promise<void> {
    const message: WebhookMessage = {
      eventId: delivery.eventId,
      event: delivery.event,
      sealedPayload: delivery.payloadSealed,
      ...this.trace,
    };
    await this.queue.send(message, { contentType: "json" });
  }
}
