import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import {
  parseWebhookSecrets,
  WEBHOOK_HEADERS,
  webhookHeaders,
  webhookKeyBytes,
} from "../../../src/features/webhooks/signing";
import { AppError } from "../../../src/platform/errors";

/** HMAC-SHA256 recomputed here with WebCrypto, independently of the module under test. */
async function hmac(key: Uint8Array, data: string): Promise<Uint8Array> {
  const imported = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", imported, new TextEncoder().encode(data)));
}
const hex = (bytes: Uint8Array) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
const utf8 = (text: string) => new TextEncoder().encode(text);

const body = JSON.stringify({
  event: "invite.created",
  id: "inv_01jd3k",
  code: "inv_código-secreto",
  occurred_at: "2026-01-01T00:00:00.000Z",
});
// The verifier refuses timestamps more than five minutes from its own clock.
const now = () => new Date();

describe("webhookHeaders", () => {
  it("one plain secret: X-Hubx-Signature is exactly seed 000's sha256=<hex HMAC of the raw body>", async () => {
    const headers = await webhookHeaders({ eventId: "evt_1", timestamp: now(), body }, ["s3cret"]);
    expect(headers[WEBHOOK_HEADERS.hubx]).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(headers[WEBHOOK_HEADERS.hubx]).toBe(`sha256=${hex(await hmac(utf8("s3cret"), body))}`);
  });

  it("matches the RFC 4231 HMAC-SHA256 test vector", async () => {
    const headers = await webhookHeaders(
      { eventId: "evt_1", timestamp: now(), body: "what do ya want for nothing?" },
      ["Jefe"],
    );
    expect(headers[WEBHOOK_HEADERS.hubx]).toBe(
      "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
  });

  it("sends webhook-id (the event id) and webhook-timestamp in whole seconds", async () => {
    const headers = await webhookHeaders(
      { eventId: "evt_01jd3k", timestamp: new Date(1_767_225_600_999), body },
      ["s3cret"],
    );
    expect(headers[WEBHOOK_HEADERS.id]).toBe("evt_01jd3k");
    expect(headers[WEBHOOK_HEADERS.timestamp]).toBe("1767225600");
    const signature = headers[WEBHOOK_HEADERS.signature]!;
    expect(signature).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    const expected = await hmac(utf8("s3cret"), `evt_01jd3k.1767225600.${body}`);
    expect(signature).toBe(`v1,${btoa(String.fromCharCode(...expected))}`);
  });

  it("a whsec_ secret is verified by the standardwebhooks library (key: the base64 after the prefix)", async () => {
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const timestamp = now();
    const headers = await webhookHeaders({ eventId: "evt_2", timestamp, body }, [secret]);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(headers[WEBHOOK_HEADERS.signature]).toBe(new Webhook(secret).sign("evt_2", timestamp, body));
    // X-Hubx-Signature uses the same key bytes.
    const key = Uint8Array.from(atob("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), (char) => char.charCodeAt(0));
    expect(headers[WEBHOOK_HEADERS.hubx]).toBe(`sha256=${hex(await hmac(key, body))}`);
  });

  it("reproduces the standardwebhooks library's published signature", async () => {
    const headers = await webhookHeaders(
      {
        eventId: "msg_p5jXN8AQM9LWM0D4loKWxJek",
        timestamp: new Date(1_614_265_330_000),
        body: '{"test": 2432232314}',
      },
      ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
    );
    expect(headers[WEBHOOK_HEADERS.signature]).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  });

  it("any other secret is keyed by its UTF-8 bytes, verified by standardwebhooks in raw format", async () => {
    const secret = "çhave-sem-prefixo";
    const headers = await webhookHeaders({ eventId: "evt_3", timestamp: now(), body }, [secret]);
    expect(new Webhook(utf8(secret), { format: "raw" }).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it("rejects a tampered body, id or timestamp", async () => {
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const headers = await webhookHeaders({ eventId: "evt_4", timestamp: now(), body }, [secret]);
    const verifier = new Webhook(secret);
    expect(() => verifier.verify(body.replace("inv_01jd3k", "inv_01jd3x"), headers)).toThrow(
      WebhookVerificationError,
    );
    expect(() => verifier.verify(body, { ...headers, [WEBHOOK_HEADERS.id]: "evt_5" })).toThrow(
      WebhookVerificationError,
    );
    const later = String(Number(headers[WEBHOOK_HEADERS.timestamp]) + 1);
    expect(() => verifier.verify(body, { ...headers, [WEBHOOK_HEADERS.timestamp]: later })).toThrow(
      WebhookVerificationError,
    );
  });

  it("rotation: every secret signs, so a receiver holding only one of them accepts", async () => {
    const previous = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const next = "whsec_c2Vjb25kLXNlY3JldC1mb3Itcm90YXRpb24tMzI=";
    const headers = await webhookHeaders({ eventId: "evt_6", timestamp: now(), body }, [previous, next]);
    expect(headers[WEBHOOK_HEADERS.signature]!.split(" ")).toHaveLength(2);
    expect(new Webhook(next).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(previous).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook("whsec_b3RoZXItc2VjcmV0LW5vdC1jb25maWd1cmVk").verify(body, headers)).toThrow(
      WebhookVerificationError,
    );
    const hubx = headers[WEBHOOK_HEADERS.hubx]!.split(" ");
    expect(hubx).toEqual([
      `sha256=${hex(await hmac(webhookKeyBytes(previous), body))}`,
      `sha256=${hex(await hmac(webhookKeyBytes(next), body))}`,
    ]);
  });

  it("without secrets sends the id and timestamp but no signature", async () => {
    const headers = await webhookHeaders({ eventId: "evt_7", timestamp: new Date(1_000), body }, []);
    expect(headers).toEqual({ [WEBHOOK_HEADERS.id]: "evt_7", [WEBHOOK_HEADERS.timestamp]: "1" });
  });
});

describe("parseWebhookSecrets and webhookKeyBytes", () => {
  it("splits on any whitespace and drops empties", () => {
    expect(parseWebhookSecrets("  old\tnew \n third ")).toEqual(["old", "new", "third"]);
    expect(parseWebhookSecrets("only")).toEqual(["only"]);
    expect(parseWebhookSecrets("   ")).toEqual([]);
    expect(parseWebhookSecrets(undefined)).toEqual([]);
  });

  it("decodes whsec_ secrets and refuses one that is not base64, without quoting it", () => {
    expect(Array.from(webhookKeyBytes("whsec_AAEC"))).toEqual([0, 1, 2]);
    expect(Array.from(webhookKeyBytes("plain"))).toEqual(Array.from(utf8("plain")));
    for (const bad of ["whsec_", "whsec_not*base64!", "whsec_a"]) {
      let thrown: unknown;
      try {
        webhookKeyBytes(bad);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(AppError);
      expect((thrown as AppError).code).toBe("INTERNAL");
      expect((thrown as AppError).message).not.toContain(bad);
    }
  });
});
