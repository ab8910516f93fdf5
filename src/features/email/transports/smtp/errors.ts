import { maskAddresses } from "../../address";

/** The SMTP step that failed; logs and errors name it so an operator knows where to look. */
export type SmtpStage =
  | "connect"
  | "greeting"
  | "ehlo"
  | "starttls"
  | "auth"
  | "mail-from"
  | "rcpt-to"
  | "data"
  | "message";

/**
 * A failed SMTP exchange. The message quotes the server's reply with addresses masked, and never
 * what the client sent (AUTH lines carry the credentials).
 */
export class SmtpError extends Error {
  readonly stage: SmtpStage;
  /** The server's reply code, when the server answered. */
  readonly replyCode?: number;
  /** The message without the `SMTP <stage> failed:` prefix. */
  readonly detail: string;

  constructor(stage: SmtpStage, detail: string, replyCode?: number) {
    super(`SMTP ${stage} failed: ${maskAddresses(detail)}`);
    this.name = "SmtpError";
    this.stage = stage;
    this.replyCode = replyCode;
    this.detail = maskAddresses(detail);
  }
}
