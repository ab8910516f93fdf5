import { z } from "zod";

/**
 * The contract between features that send e-mail and the e-mail Queue consumer. A feature calls
 * `services.email.enqueue(message)`; the consumer renders the template (text and HTML) and hands
 * it to the configured transport. The message may hold the secret the e-mail must deliver (a
 * reset token, a code): it travels through the Queue sealed (`QueuedEmail`), and is never logged.
 */
export const EMAIL_TEMPLATES = [
  "verify-email",
  "password-reset",
  "two-factor-code",
  "api-token-leaked",
  "password-changed",
  "two-factor-changed",
] as const;
export type EmailTemplate = (typeof EMAIL_TEMPLATES)[number];

const fields = {
  /** Idempotency key (`evt_…`): a redelivered message is sent at most once per transport. */
  id: z.string().min(1),
  template: z.enum(EMAIL_TEMPLATES),
  to: z.email(),
  requestId: z.string(),
  traceId: z.string(),
};

/**
 * Template variables, e.g. `{ name, token, expiresInMinutes }`. What each template reads (see
 * `templates.ts`; other keys are ignored, a missing or malformed one makes the message poison):
 * - `verify-email`, `password-reset`: `token` (printable ASCII, goes into the link's `#token=`
 *   fragment), optional `name`, optional `expiresInMinutes` (a positive integer as a string);
 * - `two-factor-code`: `code` (4 to 12 digits), optional `name`, optional `expiresInMinutes`;
 * - `api-token-leaked`: `tokenName` (the token's `nome`), `tokenStart` (its visible start, never
 *   the token), optional `name`;
 * - `password-changed`: `changedAt` (ISO 8601), `method` (`change` or `reset`), optional `name`;
 * - `two-factor-changed`: `changedAt` (ISO 8601), `change` (`enabled`, `disabled` or
 *   `recovery-codes`), `method` (`totp` or `email`), optional `name`.
 */
const EmailDataSchema = z.record(z.string(), z.string());

/** An e-mail to send, as features give it and the sender renders it (its `data` in clear). */
export const EmailMessageSchema = z.object({ ...fields, data: EmailDataSchema });
export type EmailMessage = z.infer<typeof EmailMessageSchema>;

/**
 * The Queue body: the message with its `data` sealed (AES-GCM, `DATA_ENCRYPTION_KEY`). Reset and
 * verification tokens and codes travel in `data`; sealed, they are not readable in the Queue, its
 * dead-letter queue or anything that shows message bodies. The seal is bound to the message's id,
 * template and recipient: moved onto another message, it does not open.
 */
export const QueuedEmailSchema = z.object({ ...fields, sealedData: z.string().min(1) });
export type QueuedEmail = z.infer<typeof QueuedEmailSchema>;

/** Authenticated encryption of text bound to associated data (a `SecretBox`). */
export interface TextCipher {
  seal(plaintext: string, associatedData: string): Promise<string>;
  open(sealed: string, associatedData: string): Promise<string>;
}

/** What a message's sealed data is bound to: its template, id and recipient. */
export function associatedDataOf(message: Pick<EmailMessage, "id" | "template" | "to">): string {
  return `edge-auth/email/v1/${message.template}/${message.id}/${message.to}`;
}

/** The Queue body of `message`: validated, its data sealed. */
export async function sealEmail(
  message: EmailMessage,
  cipher: Pick<TextCipher, "seal">,
): Promise<QueuedEmail> {
  const { data, ...rest } = EmailMessageSchema.parse(message);
  return { ...rest, sealedData: await cipher.seal(JSON.stringify(data), associatedDataOf(rest)) };
}

/**
 * The message a Queue body carries, or why it cannot be sent: `unopenable` (the key is not
 * configured any more, or the body was tampered with; may work once the key is back, so the
 * consumer retries and dead-letters it) or `invalid` (it opened but is no data; poison).
 */
export type OpenedEmail =
  | { ok: true; message: EmailMessage }
  | { ok: false; reason: "unopenable" | "invalid" };

/** Opens a Queue body's data (see `OpenedEmail`). */
export async function openEmail(queued: QueuedEmail, cipher: Pick<TextCipher, "open">): Promise<OpenedEmail> {
  let text: string;
  try {
    text = await cipher.open(queued.sealedData, associatedDataOf(queued));
  } catch {
    return { ok: false, reason: "unopenable" };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, reason: "invalid" };
  }
  const parsed = EmailDataSchema.safeParse(data);
  if (!parsed.success) return { ok: false, reason: "invalid" };
  const { sealedData: _sealed, ...rest } = queued;
  return { ok: true, message: { ...rest, data: parsed.data } };
}

/** What features depend on to send e-mail. */
export interface EmailOutbox {
  enqueue(message: Omit<EmailMessage, "id" | "requestId" | "traceId">): Promise<void>;
}
