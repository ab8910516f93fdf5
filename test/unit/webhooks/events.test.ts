import { describe, expect, it } from "vitest";
import {
  openWebhookPayload,
  payloadAssociatedData,
  sealWebhookMessage,
  WebhookMessageSchema,
  type WebhookPayload,
  WebhookPayloadSchema,
} from "../../../src/features/webhooks/events";
import { testCipher, webhookMessage } from "../../helpers/webhooks";

const occurred_at = "2026-03-01T12:30:00.000Z";
const created = { event: "invite.created", id: "inv_1", code: "inv_code_secret", occurred_at } as const;
const trace = { requestId: "req_1", traceId: "0af7651916cd43dd8448eb211c80319c" };

describe("webhook payloads", () => {
  it.each([
    created,
    { event: "invite.used", id: "inv_1", occurred_at },
    { event: "invite.revoked", id: "inv_1", occurred_at: "2026-03-01T12:30:00Z" },
  ])("accepts seed 000's %o plus occurred_at", (payload) => {
    expect(WebhookPayloadSchema.parse(payload)).toEqual(payload);
  });

  it.each([
    [{ event: "invite.created", id: "inv_1", occurred_at }, "code"],
    [{ ...created, extra: "x" }, ""],
    [{ event: "invite.used", id: "inv_1", code: "inv_code_secret", occurred_at }, ""],
    [{ event: "invite.deleted", id: "inv_1", occurred_at }, "event"],
    [{ event: "invite.used", id: "", occurred_at }, "id"],
    [{ event: "invite.used", id: "inv_1", occurred_at: "yesterday" }, "occurred_at"],
    [{ event: "invite.used", id: "inv_1", occurred_at: "2026-03-01" }, "occurred_at"],
    [{ event: "invite.used", id: "inv_1" }, "occurred_at"],
  ])("refuses %o", (payload, field) => {
    const parsed = WebhookPayloadSchema.safeParse(payload);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.path.join("."))).toContain(field);
  });
});

describe("sealWebhookMessage and openWebhookPayload", () => {
  it("seals the raw body in seed 000's field order, and opens it byte for byte", async () => {
    const message = await sealWebhookMessage({ eventId: "evt_1", payload: created, ...trace }, testCipher);
    expect(WebhookMessageSchema.parse(message)).toEqual(message);
    expect(message).toMatchObject({ eventId: "evt_1", event: "invite.created", ...trace });
    expect(JSON.stringify(message)).not.toContain(created.code);
    const opened = await openWebhookPayload(message, testCipher);
    expect(opened).toEqual({
      ok: true,
      body: '{"event":"invite.created","id":"inv_1","code":"inv_code_secret","occurred_at":"2026-03-01T12:30:00.000Z"}',
      payload: created,
    });
  });

  it("refuses to seal a payload that breaks the schema", async () => {
    const withExtra = { ...created, password: "x" } as unknown as WebhookPayload;
    await expect(
      sealWebhookMessage({ eventId: "evt_1", payload: withExtra, ...trace }, testCipher),
    ).rejects.toThrow();
  });

  it("a sealed payload moved to another event id or event does not open (unopenable)", async () => {
    const message = await webhookMessage();
    expect(await openWebhookPayload({ ...message, eventId: "evt_other" }, testCipher)).toEqual({
      ok: false,
      reason: "unopenable",
    });
    expect(await openWebhookPayload({ ...message, event: "invite.used" }, testCipher)).toEqual({
      ok: false,
      reason: "unopenable",
    });
    expect(await openWebhookPayload({ ...message, sealedPayload: "garbage" }, testCipher)).toEqual({
      ok: false,
      reason: "unopenable",
    });
  });

  it("a payload that opens but is not this event's payload is invalid (poison)", async () => {
    const seal = (plaintext: string) =>
      testCipher.seal(plaintext, payloadAssociatedData("evt_1", "invite.created"));
    const base = { eventId: "evt_1", event: "invite.created" as const };
    for (const plaintext of [
      "not json",
      JSON.stringify({ event: "invite.created", id: "inv_1", occurred_at }),
      JSON.stringify({ event: "invite.used", id: "inv_1", occurred_at }),
    ]) {
      expect(await openWebhookPayload({ ...base, sealedPayload: await seal(plaintext) }, testCipher)).toEqual(
        {
          ok: false,
          reason: "invalid",
        },
      );
    }
  });
});
