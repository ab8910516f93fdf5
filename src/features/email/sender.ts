import type { Clock } from "../../platform/clock";
import type { Logger } from "../../platform/logger";
import type { Mailbox } from "./address";
import type { EmailDeliveryRepository } from "./delivery-repository";
import type { EmailMessage } from "./message";
import { renderEmail } from "./render";
import type { TemplateContext } from "./templates";
import type { EmailTransport, TransportName } from "./transports/transport";

/**
 * How long a claim on a message id lasts. Longer than the slowest send (an SMTP exchange times out
 * after a few 30 s waits), so a live delivery is never taken over; short enough that a consumer
 * that died mid-send delays its message by minutes, not hours.
 */
export const DELIVERY_LEASE_MS = 10 * 60_000;

export type DeliveryOutcome =
  | { status: "sent" }
  /** Sent by an earlier delivery of the same message id: nothing was sent now. */
  | { status: "duplicate" }
  /** Another delivery of this id is in flight; ask again after `retryAfterSeconds`. */
  | { status: "busy"; retryAfterSeconds: number };

export interface EmailSenderDeps {
  transport: EmailTransport;
  deliveries: EmailDeliveryRepository;
  from: Mailbox;
  templates: TemplateContext;
  clock: Clock;
  logger: Logger;
}

/**
 * Renders a queued message and sends it through the configured transport at most once per message
 * id. Throws `EmailRenderError` for data that does not fit the template (poison) and whatever the
 * transport throws (retryable).
 */
export class EmailSender {
  constructor(private readonly deps: EmailSenderDeps) {}

  get transportName(): TransportName {
    return this.deps.transport.name;
  }

  async deliver(message: EmailMessage): Promise<DeliveryOutcome> {
    const { transport, deliveries, clock, logger } = this.deps;
    const rendered = renderEmail(message, this.deps.templates);
    const now = clock.now();
    const claim = await deliveries.claim(message.id, now, DELIVERY_LEASE_MS);
    if (claim.state === "sent") return { status: "duplicate" };
    if (claim.state === "busy") {
      return {
        status: "busy",
        retryAfterSeconds: Math.max(1, Math.ceil((claim.leaseEndsAt - now.getTime()) / 1000)),
      };
    }
    try {
      await transport.send({ id: message.id, from: this.deps.from, to: message.to, ...rendered });
    } catch (error) {
      await deliveries.release(message.id, claim.claimedAt).catch((releaseError: unknown) =>
        logger.warn("email claim not released; the retry waits for the lease to end", {
          error: releaseError,
        }),
      );
      throw error;
    }
    // Sent: even if recording that fails, the message must be acknowledged, not sent again.
    await deliveries
      .markSent(message.id, clock.now())
      .catch((markError: unknown) =>
        logger.warn("email sent but not recorded as sent", { error: markError }),
      );
    return { status: "sent" };
  }
}
