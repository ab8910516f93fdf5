import type { SmtpConfig } from "../../../../config";
import type { Clock } from "../../../../platform/clock";
import type { RandomSource } from "../../../../platform/random";
import { domainOf } from "../../address";
import { buildMimeMessage } from "../../mime";
import type { EmailTransport, OutgoingEmail } from "../transport";
import { submitSmtp } from "./client";
import type { SmtpConnect } from "./socket";

/** Longest wait for one SMTP reply; a consumer batch must finish well inside the Queue's limits. */
const SMTP_REPLY_TIMEOUT_MS = 30_000;

/**
 * SMTP over Workers TCP sockets with the `MAIL_*` settings: one connection per e-mail, MIME built
 * here (multipart/alternative, UTF-8). Workers cannot open connections to port 25; use 587
 * (STARTTLS) or 465 (TLS).
 */
export class SmtpTransport implements EmailTransport {
  readonly name = "smtp";

  constructor(
    private readonly config: SmtpConfig,
    private readonly connect: SmtpConnect,
    private readonly clock: Clock,
    private readonly random: RandomSource,
  ) {}

  async send(email: OutgoingEmail): Promise<void> {
    await submitSmtp(
      {
        host: this.config.host,
        port: this.config.port,
        tls: this.config.tls,
        user: this.config.user,
        password: this.config.password,
        clientName: domainOf(email.from.address),
        envelopeFrom: email.from.address,
        recipient: email.to,
        message: buildMimeMessage(email, { date: this.clock.now(), random: this.random }),
        timeoutMs: SMTP_REPLY_TIMEOUT_MS,
      },
      this.connect,
    );
  }
}
