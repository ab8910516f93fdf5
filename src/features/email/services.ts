import type { Shared } from "../../shared";
import { EmailDeliveryRepository } from "./delivery-repository";
import { EmailSender } from "./sender";
import { createEmailTransport } from "./transports/create-transport";
import type { SendEmailBinding } from "./transports/email-service";

/**
 * The consumer side of e-mail: the sender with its transport (capture, Email Service or SMTP).
 * Built only by the queue handler; requests only enqueue (`shared.email`).
 */
export function createEmailSender(
  shared: Pick<Shared, "config" | "db" | "clock" | "random" | "logger">,
  bindings: { EMAIL: SendEmailBinding },
): EmailSender {
  const { config, db, clock, logger } = shared;
  return new EmailSender({
    transport: createEmailTransport(config, bindings, shared),
    deliveries: new EmailDeliveryRepository(db),
    from: config.mail.from,
    templates: { appName: config.app.name, baseUrl: config.app.baseUrl },
    clock,
    logger,
  });
}
