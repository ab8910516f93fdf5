import {
  type PayloadCipher,
  sealWebhookMessage,
  type WebhookMessage,
  type WebhookPayload,
} from "../../src/features/webhooks/events";

const TEST_SEAL_PREFIX = "test-sealed.";

/**
 * A trivial reversible cipher for tests: base64 of the plaintext with its associated data, so a
 * sealed payload does not show the code verbatim and opening under other associated data throws,
 * as AES-GCM would. Not encryption.
 */
export const testCipher: PayloadCipher = {
  async seal(plaintext, associatedData) {
    return `${TEST_SEAL_PREFIX}${btoa(encodeURIComponent(JSON.stringify([associatedData, plaintext])))}`;
  },
  async open(sealed, associatedData) {
    if (!sealed.startsWith(TEST_SEAL_PREFIX)) throw new Error("not sealed by the test cipher");
    const [boundTo, plaintext] = JSON.parse(
      decodeURIComponent(atob(sealed.slice(TEST_SEAL_PREFIX.length))),
    ) as [string, string];
    if (boundTo !== associatedData) throw new Error("associated data does not match");
    return plaintext;
  },
};

/** A payload of `event` for a fresh invite id; `invite.created` carries a fresh code. */
export function webhookPayload(event: WebhookPayload["event"] = "invite.created"): WebhookPayload {
  const unique = crypto.randomUUID().replace(/-/g, "");
  const id = `inv_${unique.slice(0, 20)}`;
  const occurred_at = "2026-01-01T00:00:00.000Z";
  if (event === "invite.created") return { event, id, code: `inv_code_${unique}`, occurred_at };
  return { event, id, occurred_at };
}

/** A sealed Queue message for `payload` under a fresh event id. */
export async function webhookMessage(payload: WebhookPayload = webhookPayload()): Promise<WebhookMessage> {
  const unique = crypto.randomUUID().replace(/-/g, "");
  return sealWebhookMessage(
    { eventId: `evt_${unique}`, payload, requestId: `req_${unique.slice(0, 12)}`, traceId: unique },
    testCipher,
  );
}
