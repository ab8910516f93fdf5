import { z } from "zod";

/**
 * The contract between features that send e-mail and the e-mail Queue consumer. A feature calls
 * `services.email.enqueue(message)`; the consumer renders the template (text and HTML) and hands
 * it to the configured transport. The body travels through the Queue, so it may hold the secret
 * the e-mail must deliver (a reset token, a code) — which is why message bodies are never logged.
 */
export const EMAIL_TEMPLATES = [
  "verify-email",
  "password-reset",
  "two-factor-code",
  "password-changed",
] as const;
export type EmailTemplate = (typeof EMAIL_TEMPLATES)[number];

export const EmailMessageSchema = z.object({
  /** Idempotency key (`evt_…`): a redelivered message is sent at most once per transport. */
  id: z.string().min(1),
  template: z.enum(EMAIL_TEMPLATES),
  to: z.email(),
  /**
   * Template variables, e.g. `{ name, token, expiresInMinutes }`. What each template reads (see
   * `templates.ts`; other keys are ignored, a missing or malformed one makes the message poison):
   * - `verify-email`, `password-reset`: `token` (printable ASCII, goes into the link's `#token=`
   *   fragment), optional `name`, optional `expiresInMinutes` (a positive integer as a string);
   * - `two-factor-code`: `code` (4 to 12 digits), optional `name`, optional `expiresInMinutes`;
   * - `password-changed`: `changedAt` (ISO 8601), `method` (`change` or `reset`), optional `name`.
   */
  data: z.record(z.string(), z.string()),
  requestId: z.string(),
  traceId: z.string(),
});

export type EmailMessage = z.infer<typeof EmailMessageSchema>;

/** What features depend on to send e-mail. */
export interface EmailOutbox {
  enqueue(message: Omit<EmailMessage, "id" | "requestId" | "traceId">): Promise<void>;
}
