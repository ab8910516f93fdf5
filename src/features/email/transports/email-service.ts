import type { EmailTransport, OutgoingEmail } from "./transport";

/** The part of the `send_email` binding this transport uses (the structured-message form). */
export interface SendEmailBinding {
  send(message: EmailMessageBuilder): Promise<EmailSendResult>;
}

/**
 * Cloudflare Email Service through the `send_email` binding (`EMAIL`), using the binding's
 * structured form: `{from, to, subject, text, html}`, so Cloudflare builds the MIME and the
 * Message-ID. (The raw `EmailMessage` form of "cloudflare:email" only reaches verified
 * Email Routing addresses.) Under `wrangler dev` the binding writes e-mails to `.wrangler/tmp/email/`.
 */
export class EmailServiceTransport implements EmailTransport {
  readonly name = "email-service";

  constructor(private readonly binding: SendEmailBinding) {}

  async send(email: OutgoingEmail): Promise<void> {
    await this.binding.send({
      from: email.from.name ? { name: email.from.name, email: email.from.address } : email.from.address,
      to: email.to,
      subject: email.subject,
      text: email.text,
      html: email.html,
    });
  }
}
