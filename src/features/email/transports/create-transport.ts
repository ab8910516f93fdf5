import type { Config } from "../../../config";
import type { Database } from "../../../db";
import type { Logger } from "../../../platform/logger";
import type { PlatformDeps } from "../../../services";
import { CaptureTransport } from "./capture";
import { EmailServiceTransport, type SendEmailBinding } from "./email-service";
import { workersConnect } from "./smtp/socket";
import { SmtpTransport } from "./smtp/transport";
import type { EmailTransport } from "./transport";

/** The transport `MAIL_TRANSPORT` names; `loadConfig` has already checked its settings. */
export function createEmailTransport(
  config: Pick<Config, "environment" | "mail">,
  bindings: { EMAIL: SendEmailBinding },
  db: Database,
  deps: PlatformDeps,
  logger: Logger,
): EmailTransport {
  switch (config.mail.transport) {
    case "capture":
      return new CaptureTransport(db, config.environment, deps.clock, logger);
    case "email-service":
      return new EmailServiceTransport(bindings.EMAIL);
    case "smtp":
      return new SmtpTransport(config.mail.smtp!, workersConnect, deps.clock, deps.random);
  }
}
