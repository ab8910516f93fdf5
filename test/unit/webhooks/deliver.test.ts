import { describe, expect, it } from "vitest";
import {
  DEFAULT_WEBHOOK_TIMEOUT_MS,
  deliverWebhook,
  WEBHOOK_USER_AGENT,
  type WebhookFetch,
} from "../../../src/features/webhooks/deliver";
import { ManualClock } from "../../../src/platform/clock";

const url = new URL("https://hooks.example.com/edge-auth?token=receiver-secret");
const body = '{"event":"invite.used","id":"inv_1","occurred_at":"2026-01-01T00:00:00.000Z"}';
const headers = { "webhook-id": "evt_1", "x-hubx-signature": "sha256=00" };

/** A fake receiver: records each call and answers with `answer`, moving the clock by `takesMs`. */
function receiver(
  answer: (init: RequestInit) => Promise<Response> | Response,
  clock: ManualClock,
  takesMs = 0,
) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch: WebhookFetch = async (target, init) => {
    calls.push({ url: target, init });
    clock.advance(takesMs);
    return answer(init);
  };
  return { fetch, calls };
}

describe("deliverWebhook", () => {
  it("POSTs the raw body with the signature headers, JSON content type and user agent; 2xx is ok", async () => {
    const clock = new ManualClock();
    const { fetch, calls } = receiver(() => new Response(null, { status: 204 }), clock, 250);
    const result = await deliverWebhook({ url, body, headers }, { fetch, clock });
    expect(result).toEqual({ ok: true, status: 204, latencyMs: 250 });
    expect(calls).toHaveLength(1);
    const [{ url: target, init }] = calls as [{ url: string; init: RequestInit }];
    expect(target).toBe(url.href);
    expect(init).toMatchObject({ method: "POST", body, redirect: "manual" });
    expect(init.headers).toEqual({
      ...headers,
      "content-type": "application/json",
      "user-agent": WEBHOOK_USER_AGENT,
    });
    expect(init.signal).toBeInstanceOf(AbortSignal);
    expect(DEFAULT_WEBHOOK_TIMEOUT_MS).toBe(10_000);
  });

  it.each([200, 201, 202, 299])("%i is delivered", async (status) => {
    const clock = new ManualClock();
    const { fetch } = receiver(() => new Response(null, { status }), clock);
    expect((await deliverWebhook({ url, body, headers }, { fetch, clock })).ok).toBe(true);
  });

  it.each([
    [301, "redirect 301 not followed"],
    [302, "redirect 302 not followed"],
    [307, "redirect 307 not followed"],
    [308, "redirect 308 not followed"],
    [400, "http 400"],
    [410, "http 410"],
    [429, "http 429"],
    [500, "http 500"],
    [503, "http 503"],
  ])("%i is a failed attempt (%s), with the status", async (status, error) => {
    const clock = new ManualClock();
    const { fetch, calls } = receiver(
      () => new Response("secret-looking body", { status, headers: { location: "http://127.0.0.1/" } }),
      clock,
      40,
    );
    expect(await deliverWebhook({ url, body, headers }, { fetch, clock })).toEqual({
      ok: false,
      status,
      error,
      latencyMs: 40,
    });
    expect(calls).toHaveLength(1);
  });

  it("never reads the answer's body: it is cancelled", async () => {
    const clock = new ManualClock();
    let cancelled = false;
    let pulled = 0;
    const stream = new ReadableStream({
      pull(controller) {
        pulled++;
        controller.enqueue(new TextEncoder().encode("x".repeat(1024)));
      },
      cancel() {
        cancelled = true;
      },
    });
    const { fetch } = receiver(() => new Response(stream, { status: 500 }), clock);
    await deliverWebhook({ url, body, headers }, { fetch, clock });
    expect(cancelled).toBe(true);
    expect(pulled).toBeLessThanOrEqual(1);
  });

  it("a network error is a failed attempt without a status, its text free of the URL", async () => {
    const clock = new ManualClock();
    const { fetch } = receiver(() => {
      throw new TypeError(`connect failed to ${url.href} (${url.search})`);
    }, clock);
    const result = await deliverWebhook({ url, body, headers }, { fetch, clock });
    expect(result).toEqual({
      ok: false,
      error: "network error: TypeError: connect failed to [url] ([url])",
      latencyMs: 0,
    });
    expect(result.error).not.toContain("receiver-secret");
  });

  it("gives up after timeoutMs, as a timeout", async () => {
    const clock = new ManualClock();
    const { fetch } = receiver(
      (init) =>
        new Promise<Response>((_, reject) => {
          init.signal?.addEventListener("abort", () => reject(init.signal?.reason));
        }),
      clock,
    );
    const result = await deliverWebhook({ url, body, headers }, { fetch, clock, timeoutMs: 50 });
    expect(result).toEqual({ ok: false, error: "timeout after 50 ms", latencyMs: 0 });
  });
});
