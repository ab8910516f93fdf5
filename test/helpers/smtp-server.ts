import { inject } from "vitest";

/** A message as the local SMTP server received it and Python's e-mail parser read it. */
export interface ReceivedMessage {
  server: "plain" | "login" | "starttls" | "smtps";
  ehlo: string;
  tls: boolean;
  authLogin: string | null;
  mailFrom: string;
  rcptTos: string[];
  raw: string;
  parsed: {
    subject: string;
    from: string;
    to: string;
    contentType: string;
    headers: [string, string][];
    parts: {
      contentType: string;
      charset: string | null;
      transferEncoding: string | null;
      content: string;
    }[];
    defects: string[];
  };
}

export const smtpServer = inject("smtpServer");

/** Messages the server accepted for `recipient` (tests use a unique recipient each). */
export async function receivedFor(recipient: string): Promise<ReceivedMessage[]> {
  const response = await fetch(`http://${smtpServer.host}:${smtpServer.ports.http}/messages`);
  const messages = (await response.json()) as ReceivedMessage[];
  return messages.filter((message) => message.rcptTos.includes(recipient));
}

/** A recipient address no other test uses. */
export function uniqueRecipient(label: string): string {
  return `${label}-${crypto.randomUUID().slice(0, 8)}@example.test`;
}
