import type { Config } from "../../../config";
import type { Shared } from "../../../shared";
import { CaptureTransport } from "./capture";
import { EmailServiceTransport, type SendEmailBinding } from "./email-service";
import { workersConnect } from "./smtp/socket";
import { SmtpTransport } from "./smtp/transport";
import type { EmailTransport } from "./transport";

/** The transport `MAIL_TRANSPORT` names; `loadConfig` has already checked its settings. */
export function createEmailTransport(
  config: Pick<Config, "environment" | "mail">,
  bindings: { EMAIL: SendEmailBinding },
  shared: Pick<Shared, "db" | "clock" | "random" | "logger">,
): EmailTransport {
  switch (config.mail.transport) {
    case "capture":
      return new CaptureTransport(shared.db, config.environment, shared.clock, shared.logger);
    case "email-service":
      return new EmailServiceTransport(bindings.EMAIL);
    case "smtp":
      return new SmtpTransport(config.mail.smtp!, workersConnect, shared.clock, shared.random);
  }
}
