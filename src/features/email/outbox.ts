import type { Clock } from "../../platform/clock";
import { newId } from "../../platform/ids";
import type { RandomSource } from "../../platform/random";
import { type EmailMessage, type EmailOutbox, type QueuedEmail, sealEmail, type TextCipher } from "./message";

/** The request (or batch) identity every queued e-mail carries to the consumer's logs. */
export interface OutboxTrace {
  requestId: string;
  traceId: string;
}

/**
 * The producer side of the e-mail pipeline: stamps each message with an idempotency id and the
 * trace of the request that caused it, validates it against the contract, seals its data (the
 * tokens and codes it delivers) and sends it to the e-mail Queue. Rendering and delivery happen in
 * the Queue consumer, which opens the data again.
 */
export class QueueEmailOutbox implements EmailOutbox {
  constructor(
    private readonly queue: Queue<QueuedEmail>,
    private readonly trace: OutboxTrace,
    private readonly clock: Clock,
    private readonly random: RandomSource,
    /** The `data` box (`shared.secretBoxes.data`), asked for only when something is sent. */
    private readonly cipher: () => Promise<Pick<TextCipher, "seal">>,
  ) {}

  async enqueue(message: Omit<EmailMessage, "id" | "requestId" | "traceId">): Promise<void> {
    const body = await sealEmail(
      {
        ...message,
        id: newId("event", this.clock, this.random),
        requestId: this.trace.requestId,
        traceId: this.trace.traceId,
      },
      await this.cipher(),
    );
    await this.queue.send(body, { contentType: "json" });
  }
}
