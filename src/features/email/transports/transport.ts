import type { Mailbox } from "../address";

/** A rendered e-mail ready to leave: what every transport sends. */
export interface OutgoingEmail {
  /** The queue message's id: Message-ID and capture key, the same on every retry. */
  id: string;
  from: Mailbox;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** The transports `MAIL_TRANSPORT` may name; also the `transport` label of the e-mail metrics. */
export const EMAIL_TRANSPORTS = ["capture", "email-service", "smtp"] as const;
export type TransportName = (typeof EMAIL_TRANSPORTS)[number];

/** Sends one e-mail or throws; the consumer retries a throw with backoff. */
export interface EmailTransport {
  readonly name: TransportName;
  send(email: OutgoingEmail): Promise<void>;
}
