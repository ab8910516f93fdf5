import { base64Decode, base64Encode, hexEncode } from "../../platform/encoding";
import { AppError } from "../../platform/errors";

/** Header names a webhook request carries (lower case, as `Headers` reports them). */
export const WEBHOOK_HEADERS = {
  id: "webhook-id",
  timestamp: "webhook-timestamp",
  signature: "webhook-signature",
  hubx: "x-hubx-signature",
} as const;

/** The Standard Webhooks prefix of a secret whose key is the base64 text after it. */
const STANDARD_SECRET_PREFIX = "whsec_";

/** One webhook delivery as it is signed: the exact bytes sent, and what identifies them. */
export interface WebhookToSign {
  /** The event id: stable across retries, so receivers deduplicate by it. */
  eventId: string;
  /** When this attempt is made; a receiver rejects a timestamp far from its own clock (replays). */
  timestamp: Date;
  /** The raw JSON body, byte for byte as sent. */
  body: string;
}

/**
 * `TOKEN_WEBHOOK_SECRET` as a list: one secret, or several separated by spaces while a secret is
 * being rotated (every listed secret signs each delivery, so receivers holding either the old or
 * the new one accept it). Empty or unset means unsigned deliveries.
 */
export function parseWebhookSecrets(value: string | undefined): string[] {
  return (value ?? "").split(/\s+/).filter((secret) => secret.length > 0);
}

/**
 * The HMAC key bytes of a secret. A secret written `whsec_<base64>` is the Standard Webhooks
 * convention: its key is the base64-decoded text after the prefix, the way the official libraries
 * (npm `standardwebhooks`, Svix) read it. Any other secret is used as its UTF-8 bytes, which is
 * what a receiver of seed 000's `X-Hubx-Signature` computes with `hmac(secret, body)`.
 * Throws `AppError("INTERNAL")` for a `whsec_` secret that is not base64: a configuration error,
 * reported without the secret.
 */
export function webhookKeyBytes(secret: string): Uint8Array {
  if (!secret.startsWith(STANDARD_SECRET_PREFIX)) return new TextEncoder().encode(secret);
  let key: Uint8Array;
  try {
    key = base64Decode(secret.slice(STANDARD_SECRET_PREFIX.length));
  } catch {
    key = new Uint8Array(0);
  }
  if (key.length === 0) {
    throw new AppError(
      "INTERNAL",
      "TOKEN_WEBHOOK_SECRET: a secret with the Standard Webhooks prefix must go on with non-empty base64",
    );
  }
  return key;
}

async function hmacSha256(secret: string, data: string): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    "raw",
    webhookKeyBytes(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(data)));
}

/**
 * The headers that identify and sign one webhook delivery:
 * - `webhook-id` (the event id) and `webhook-timestamp` (whole seconds), always;
 * - with secrets, Standard Webhooks' `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`
 *   and seed 000's `X-Hubx-Signature: sha256=<hex HMAC-SHA256 of the body>`, each listing one
 *   signature per secret separated by spaces (a single secret gives exactly seed 000's format).
 *
 * Only the Standard Webhooks signature covers the id and timestamp, so only it lets a receiver
 * reject replays; `X-Hubx-Signature` is kept for receivers written against seed 000.
 *
 * @example
 * const headers = await webhookHeaders({ eventId, timestamp: clock.now(), body }, parseWebhookSecrets(env.TOKEN_WEBHOOK_SECRET));
 */
export async function webhookHeaders(
  message: WebhookToSign,
  secrets: readonly string[],
): Promise<Record<string, string>> {
  const timestamp = String(Math.floor(message.timestamp.getTime() / 1000));
  const headers: Record<string, string> = {
    [WEBHOOK_HEADERS.id]: message.eventId,
    [WEBHOOK_HEADERS.timestamp]: timestamp,
  };
  if (secrets.length === 0) return headers;
  const signedContent = `${message.eventId}.${timestamp}.${message.body}`;
  const [standard, hubx] = await Promise.all([
    Promise.all(secrets.map(async (secret) => `v1,${base64Encode(await hmacSha256(secret, signedContent))}`)),
    Promise.all(secrets.map(async (secret) => `sha256=${hexEncode(await hmacSha256(secret, message.body))}`)),
  ]);
  headers[WEBHOOK_HEADERS.signature] = standard.join(" ");
  headers[WEBHOOK_HEADERS.hubx] = hubx.join(" ");
  return headers;
}
