import type { Clock } from "../../platform/clock";
import { newId } from "../../platform/ids";
import type { RandomSource } from "../../platform/random";
import { type EmailMessage, EmailMessageSchema, type EmailOutbox } from "./message";

/** The request (or batch) identity every queued e-mail carries to the consumer's logs. */
export interface OutboxTrace {
  requestId: string;
  traceId: string;
}

/**
 * The producer side of the e-mail pipeline: stamps each message with an idempotency id and the
 * trace of the request that caused it, validates it against the contract, and sends it to the
 * e-mail Queue. Rendering and delivery happen in the Queue consumer.
 */
export class QueueEmailOutbox implements EmailOutbox {
  constructor(
    private readonly queue: Queue<EmailMessage>,
    private readonly trace: OutboxTrace,
    private readonly clock: Clock,
    private readonly random: RandomSource,
  ) {}

  async enqueue(message: Omit<EmailMessage, "id" | "requestId" | "traceId">): Promise<void> {
    const body = EmailMessageSchema.parse({
      ...message,
      id: newId("event", this.clock, this.random),
      requestId: this.trace.requestId,
      traceId: this.trace.traceId,
    });
    await this.queue.send(body, { contentType: "json" });
  }
}
