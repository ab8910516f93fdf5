import { z } from "zod";

/** The events sent to `TOKENS_WEBHOOK_URL` (seed 000). */
export const WEBHOOK_EVENTS = ["invite.created", "invite.used", "invite.revoked"] as const;
/** One of `WEBHOOK_EVENTS`. */
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

const inviteId = z.string().min(1);
/** When the event happened, ISO-8601 in UTC (`Date.toISOString()`). */
const occurredAt = z.iso.datetime();

/**
 * Seed 000's payloads plus `occurred_at`, field for field. Strict: a field the receiver was not
 * promised (or a second secret) can never slip into a webhook. `invite.created` carries the
 * invite's `code`, the one secret a webhook sends, which is why payloads travel sealed.
 */
export const WebhookPayloadSchema = z.discriminatedUnion("event", [
  z.strictObject({
    event: z.literal("invite.created"),
    id: inviteId,
    code: z.string().min(1),
    occurred_at: occurredAt,
  }),
  z.strictObject({ event: z.literal("invite.used"), id: inviteId, occurred_at: occurredAt }),
  z.strictObject({ event: z.literal("invite.revoked"), id: inviteId, occurred_at: occurredAt }),
]);
/** A validated payload: exactly what the receiver gets as the JSON body. */
export type WebhookPayload = z.infer<typeof WebhookPayloadSchema>;

/**
 * Authenticated encryption of a payload, bound to `associatedData` (which is authenticated, not
 * hidden): `open` must throw when the sealed text or the associated data was changed. The
 * integrator backs it with AES-GCM and a key from the environment.
 */
export interface PayloadCipher {
  seal(plaintext: string, associatedData: string): Promise<string>;
  open(sealed: string, associatedData: string): Promise<string>;
}

/**
 * A webhook Queue message: what the consumer needs to deliver one event, with the request and
 * trace ids of the request that caused it for the consumer's logs. The payload is always sealed,
 * for every event: one shape, and no event can later gain a secret field that travels in clear.
 * The sealed text is also what `webhook_deliveries.payload_sealed` stores, so a redelivery is
 * rebuilt from the row alone.
 */
export const WebhookMessageSchema = z.object({
  /** `evt_…`: the Standard Webhooks `webhook-id` and the delivery log's key, stable across retries. */
  eventId: z.string().min(1).max(128),
  event: z.enum(WEBHOOK_EVENTS),
  /** `PayloadCipher.seal` of the raw JSON body, bound to `payloadAssociatedData(eventId, event)`. */
  sealedPayload: z.string().min(1),
  requestId: z.string(),
  traceId: z.string(),
});
/** A validated webhook Queue message body. */
export type WebhookMessage = z.infer<typeof WebhookMessageSchema>;

/**
 * What a sealed payload is bound to: its event id and type. A sealed payload copied onto another
 * message or row (another event id, another event) fails to open instead of being delivered there.
 */
export function payloadAssociatedData(eventId: string, event: WebhookEvent): string {
  return `edge-auth/webhook/v1/${event}/${eventId}`;
}

/**
 * Builds the Queue message of one event: validates the payload, serialises it once (the raw body
 * every attempt sends and signs, byte for byte) and seals it.
 */
export async function sealWebhookMessage(
  input: { eventId: string; payload: WebhookPayload; requestId: string; traceId: string },
  cipher: PayloadCipher,
): Promise<WebhookMessage> {
  const payload = WebhookPayloadSchema.parse(input.payload);
  const body = JSON.stringify(payload);
  const sealedPayload = await cipher.seal(body, payloadAssociatedData(input.eventId, payload.event));
  return WebhookMessageSchema.parse({
    eventId: input.eventId,
    event: payload.event,
    sealedPayload,
    requestId: input.requestId,
    traceId: input.traceId,
  });
}

/** An opened payload, or why it cannot be delivered. */
export type OpenedPayload =
  | { ok: true; body: string; payload: WebhookPayload }
  /**
   * `unopenable`: the cipher refused it (wrong key, or tampered): may succeed once the key is put
   * right, so it is retried and dead-lettered. `invalid`: it opened but is not this message's
   * payload; no retry can fix that (poison).
   */
  | { ok: false; reason: "unopenable" | "invalid" };

/** Opens a message's payload and checks it is a valid payload of the message's event. */
export async function openWebhookPayload(
  message: Pick<WebhookMessage, "eventId" | "event" | "sealedPayload">,
  cipher: PayloadCipher,
): Promise<OpenedPayload> {
  let body: string;
  try {
    body = await cipher.open(message.sealedPayload, payloadAssociatedData(message.eventId, message.event));
  } catch {
    return { ok: false, reason: "unopenable" };
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, reason: "invalid" };
  }
  const parsed = WebhookPayloadSchema.safeParse(json);
  if (!parsed.success || parsed.data.event !== message.event) return { ok: false, reason: "invalid" };
  return { ok: true, body, payload: parsed.data };
}
