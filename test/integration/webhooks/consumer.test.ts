import { env } from "cloudflare:test";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { createD1Database } from "../../../src/db/d1";
import { MetricsBuffer, MetricsRecorder } from "../../../src/features/metrics/recorder";
import { parseSeriesKey } from "../../../src/features/metrics/series";
import {
  consumeWebhookBatch,
  WEBHOOK_DEAD_LETTER_QUEUE,
  WEBHOOK_RETRY_BACKOFF,
} from "../../../src/features/webhooks/consumer";
import { WEBHOOK_USER_AGENT, type WebhookFetch } from "../../../src/features/webhooks/deliver";
import { WebhookDeliveryRepository } from "../../../src/features/webhooks/deliveries";
import { receiverLabel } from "../../../src/features/webhooks/destination";
import { payloadAssociatedData, type WebhookMessage } from "../../../src/features/webhooks/events";
import { retryDelaySeconds } from "../../../src/platform/backoff";
import { ManualClock } from "../../../src/platform/clock";
import { createLogger } from "../../../src/platform/logger";
import { constantRandom, logSink, runQueueBatch } from "../../helpers/email";
import { testCipher, webhookMessage, webhookPayload } from "../../helpers/webhooks";

// The consumer over real D1 and real Queue batches, with a fake receiver the test controls.

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const RECEIVER = "https://hooks.example.com/edge-auth?token=receiver-token";
const MAX_RETRIES = 8;

interface Received {
  url: string;
  body: string;
  headers: Record<string, string>;
  redirect: RequestInit["redirect"];
}

/** A receiver answering from a script of responses (the last one repeats), recording each request. */
class FakeReceiver {
  readonly received: Received[] = [];
  constructor(
    private readonly clock: ManualClock,
    private readonly answers: ((init: RequestInit) => Promise<Response> | Response)[],
    private readonly takesMs = 120,
  ) {}

  readonly fetch: WebhookFetch = async (url, init) => {
    this.received.push({
      url,
      body: String(init.body),
      headers: init.headers as Record<string, string>,
      redirect: init.redirect,
    });
    this.clock.advance(this.takesMs);
    const answer = this.answers[Math.min(this.received.length, this.answers.length) - 1]!;
    return answer(init);
  };
}

const answer =
  (status: number, headers: Record<string, string> = {}) =>
  () =>
    new Response(status === 204 ? null : "receiver says hi", { status, headers });
const hang = (init: RequestInit) =>
  new Promise<Response>((_, reject) => {
    init.signal?.addEventListener("abort", () => reject(init.signal?.reason));
  });

function setup(options: { answers?: FakeReceiver["answers"]; url?: string | null; secrets?: string[] } = {}) {
  // The verifier checks webhook-timestamp against the real time: start the manual clock there.
  const clock = new ManualClock(Date.now());
  const receiver = new FakeReceiver(clock, options.answers ?? [answer(204)]);
  const sink = logSink();
  const logger = createLogger("debug", {}, sink.write);
  const buffer = new MetricsBuffer();
  const metrics = new MetricsRecorder(
    buffer,
    { add: () => Promise.reject(new Error("not flushed in this test")), read: async () => [] },
    { shards: 1, flushDelayMs: 0, clock, random: constantRandom(0), logger },
  );
  const counted = () =>
    [...buffer.pending]
      .map(([key, value]) => {
        const series = parseSeriesKey(key)!;
        return [series.metric, series.block, series.part, value] as const;
      })
      .filter(([metric, , part]) => !metric.endsWith("_seconds") || part === "count")
      .map(([metric, block, , value]) => [metric, block, value]);
  const deliveries = new WebhookDeliveryRepository(createD1Database(env.DB));
  const url = options.url === null ? undefined : new URL(options.url ?? RECEIVER);
  const handler = (batch: MessageBatch<unknown>) =>
    consumeWebhookBatch(batch, {
      deliveries,
      cipher: testCipher,
      secrets: options.secrets ?? [SECRET],
      url,
      fetch: receiver.fetch,
      metrics,
      random: constantRandom(0),
      clock,
      logger,
      maxRetries: MAX_RETRIES,
      timeoutMs: 50,
    });
  const run = (messages: { id: string; body: unknown; attempts?: number }[]) =>
    runQueueBatch(handler, "edge-auth-webhooks", messages, env);
  return { clock, receiver, sink, counted, deliveries, run };
}

/** The invite code a message carries, to check it never reaches a log. */
async function codeOf(message: WebhookMessage): Promise<string> {
  const body = await testCipher.open(
    message.sealedPayload,
    payloadAssociatedData(message.eventId, message.event),
  );
  return (JSON.parse(body) as { code: string }).code;
}

describe("webhook consumer", () => {
  it("logs a receiver by its origin only: a credential in its path or query never reaches the log", async () => {
    const secretPath = "/services/T0AAAAAAA/B0BBBBBBB/s3cr3tXXXXXXXXXXXXXXXXXX";
    const { receiver, sink, deliveries, run } = setup({
      url: `https://hooks.slack.test${secretPath}?token=q5ecret`,
    });
    const message = await webhookMessage(webhookPayload("invite.created"));
    await run([{ id: "q1", body: message }]);
    expect(receiver.received[0]!.url).toBe(`https://hooks.slack.test${secretPath}?token=q5ecret`);
    const logged = await deliveries.find(message.eventId);
    expect(logged?.url).toBe("https://hooks.slack.test/…");
    for (const secret of ["s3cr3t", "q5ecret"]) {
      expect(JSON.stringify(logged)).not.toContain(secret);
      expect(JSON.stringify(sink.lines)).not.toContain(secret);
    }
    expect(receiverLabel(new URL("https://hooks.example.com"))).toBe("https://hooks.example.com");
  });

  it("delivers the raw payload signed: standardwebhooks verifies it, X-Hubx-Signature recomputes", async () => {
    const { receiver, sink, counted, deliveries, run } = setup();
    const payload = webhookPayload("invite.created");
    const message = await webhookMessage(payload);
    const result = await run([{ id: "q1", body: message }]);

    expect(result.explicitAcks).toEqual(["q1"]);
    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received as [Received];
    expect(request.url).toBe(RECEIVER);
    expect(request.body).toBe(JSON.stringify(payload));
    expect(request.headers).toMatchObject({
      "content-type": "application/json",
      "user-agent": WEBHOOK_USER_AGENT,
      "webhook-id": message.eventId,
      "x-request-id": message.requestId,
      "x-trace-id": message.traceId,
      traceparent: `00-${message.traceId}-0000000000000000-01`,
    });
    expect(new Webhook(SECRET).verify(request.body, request.headers)).toEqual(payload);
    const key = await crypto.subtle.importKey(
      "raw",
      Uint8Array.from(atob(SECRET.slice("whsec_".length)), (char) => char.charCodeAt(0)),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(request.body)));
    const hex = Array.from(mac, (byte) => byte.toString(16).padStart(2, "0")).join("");
    expect(request.headers["x-hubx-signature"]).toBe(`sha256=${hex}`);

    expect(await deliveries.find(message.eventId)).toMatchObject({
      event: "invite.created",
      subjectId: payload.id,
      payloadSealed: message.sealedPayload,
      url: "https://hooks.example.com/…",
      status: "delivered",
      attempts: 1,
      lastStatus: 204,
      lastError: null,
    });
    expect(counted()).toEqual([
      ["tokens_webhook_latency_seconds", "", 1],
      ["tokens_webhooks_sent_total", 'event="invite.created"', 1],
    ]);
    expect(sink.entries().find((entry) => entry.msg === "webhook delivered")).toMatchObject({
      eventId: message.eventId,
      requestId: message.requestId,
      event: "invite.created",
      status: 204,
      latencyMs: 120,
    });
    const logs = sink.lines.join("\n");
    expect(logs).not.toContain(await codeOf(message));
    expect(logs).not.toContain("receiver-token");
  });

  it("a receiver failing once then succeeding: retried with backoff, then delivered with the same id and body", async () => {
    const { receiver, counted, deliveries, run } = setup({ answers: [answer(503), answer(200)] });
    const message = await webhookMessage(webhookPayload("invite.used"));

    const first = await run([{ id: "q1", body: message }]);
    expect(first.explicitAcks).toEqual([]);
    expect(first.retries).toEqual({
      q1: { delaySeconds: retryDelaySeconds(1, constantRandom(0), WEBHOOK_RETRY_BACKOFF) },
    });
    expect(first.retries.q1?.delaySeconds).toBe(30);
    expect(await deliveries.find(message.eventId)).toMatchObject({
      status: "pending",
      attempts: 1,
      lastStatus: 503,
      lastError: "http 503",
    });

    const second = await run([{ id: "q1", body: message, attempts: 2 }]);
    expect(second.explicitAcks).toEqual(["q1"]);
    expect(await deliveries.find(message.eventId)).toMatchObject({
      status: "delivered",
      attempts: 2,
      lastStatus: 200,
      lastError: null,
    });
    const [a, b] = receiver.received as [Received, Received];
    expect(b.headers["webhook-id"]).toBe(a.headers["webhook-id"]);
    expect(b.body).toBe(a.body);
    expect(counted()).toEqual([
      ["tokens_webhook_latency_seconds", "", 2],
      ["tokens_webhooks_retried_total", 'event="invite.used"', 1],
      ["tokens_webhooks_sent_total", 'event="invite.used"', 1],
    ]);
  });

  it("retries exhausted: the final attempt marks the delivery failed, counts it and hands it to the DLQ", async () => {
    const { sink, counted, deliveries, run } = setup({ answers: [answer(500)] });
    const message = await webhookMessage(webhookPayload("invite.created"));
    const result = await run([{ id: "last", body: message, attempts: MAX_RETRIES + 1 }]);

    expect(result.explicitAcks).toEqual([]);
    // A retry without delay on the final attempt: the Queue moves the message to the DLQ.
    expect(result.retryMessages).toEqual([{ msgId: "last" }]);
    expect(result.retries).toEqual({ last: undefined });
    expect(await deliveries.find(message.eventId)).toMatchObject({
      status: "failed",
      lastStatus: 500,
      lastError: "http 500",
    });
    expect(counted()).toEqual([
      ["tokens_webhook_latency_seconds", "", 1],
      ["tokens_webhooks_failed_total", 'event="invite.created"', 1],
    ]);
    const entry = sink.entries().find((line) => line.msg.includes("final attempt"));
    expect(entry).toMatchObject({
      level: "error",
      eventId: message.eventId,
      requestId: message.requestId,
      traceId: message.traceId,
      attempts: MAX_RETRIES + 1,
      maxRetries: MAX_RETRIES,
      status: 500,
    });
    expect(entry?.msg).toContain(WEBHOOK_DEAD_LETTER_QUEUE);
    expect(sink.lines.join("\n")).not.toContain(await codeOf(message));
    expect(sink.lines.join("\n")).not.toContain(message.sealedPayload);
  });

  it("a redirecting receiver is not followed: one request, redirect manual, a failed attempt", async () => {
    const { receiver, deliveries, run } = setup({
      answers: [answer(302, { location: "http://169.254.169.254/latest/meta-data/" })],
    });
    const message = await webhookMessage();
    const result = await run([{ id: "q1", body: message }]);
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]?.redirect).toBe("manual");
    expect(result.explicitAcks).toEqual([]);
    expect(result.retries).toEqual({ q1: { delaySeconds: 30 } });
    expect(await deliveries.find(message.eventId)).toMatchObject({
      status: "pending",
      lastStatus: 302,
      lastError: "redirect 302 not followed",
    });
  });

  it("a receiver that does not answer in time is a timeout, retried", async () => {
    const { sink, deliveries, run } = setup({ answers: [hang] });
    const message = await webhookMessage();
    const result = await run([{ id: "q1", body: message, attempts: 3 }]);
    expect(result.retries).toEqual({ q1: { delaySeconds: 120 } });
    expect(await deliveries.find(message.eventId)).toMatchObject({
      status: "pending",
      attempts: 1,
      lastStatus: null,
      lastError: "timeout after 50 ms",
    });
    const warning = sink.entries().find((entry) => entry.msg === "webhook not delivered: retrying");
    expect(warning).toMatchObject({ delaySeconds: 120, error: { message: "timeout after 50 ms" } });
  });

  it("drops poison (not a webhook message, or a payload not of its event) unsent, counted, logged without it", async () => {
    const { receiver, sink, counted, run } = setup();
    const good = await webhookMessage();
    const wrongEvent = {
      ...good,
      // Sealed for this event id and event, but the plaintext is another event's payload.
      sealedPayload: await testCipher.seal(
        JSON.stringify(webhookPayload("invite.used")),
        payloadAssociatedData(good.eventId, good.event),
      ),
    };
    const bodies: unknown[] = [
      "not an object",
      null,
      { ...good, event: "invite.deleted" },
      { ...good, sealedPayload: "" },
      { eventId: good.eventId },
      wrongEvent,
    ];
    const result = await run(bodies.map((body, index) => ({ id: `p${index}`, body })));
    expect(result.explicitAcks.sort()).toEqual(["p0", "p1", "p2", "p3", "p4", "p5"]);
    expect(result.retryMessages).toEqual([]);
    expect(receiver.received).toEqual([]);
    expect(counted()).toEqual([["tokens_webhooks_poison_total", "", 6]]);
    const poison = sink.entries().filter((entry) => entry.msg.includes("poison"));
    expect(poison).toHaveLength(6);
    expect(poison.find((entry) => entry.queueMessageId === "p2")?.invalidFields).toEqual(["event"]);
    expect(sink.lines.join("\n")).not.toContain(good.sealedPayload);
  });

  it("a payload the cipher cannot open is retried (a key can be put right), not dropped", async () => {
    const { receiver, counted, run } = setup();
    const message = await webhookMessage();
    const result = await run([{ id: "q1", body: { ...message, eventId: "evt_someone-else" } }]);
    expect(result.retries).toEqual({ q1: { delaySeconds: 30 } });
    expect(receiver.received).toEqual([]);
    expect(counted()).toEqual([["tokens_webhooks_retried_total", 'event="invite.created"', 1]]);
  });

  it("an event already delivered is acknowledged without sending again", async () => {
    const { receiver, run } = setup();
    const message = await webhookMessage();
    await run([{ id: "q1", body: message }]);
    const again = await run([{ id: "q1-again", body: message, attempts: 2 }]);
    expect(again.explicitAcks).toEqual(["q1-again"]);
    expect(receiver.received).toHaveLength(1);
  });

  it("each message of a batch is acknowledged or retried on its own", async () => {
    const { receiver, run } = setup({ answers: [answer(204), answer(500)] });
    const [first, second] = [await webhookMessage(), await webhookMessage()];
    const result = await run([
      { id: "a", body: first },
      { id: "b", body: second },
    ]);
    expect(receiver.received).toHaveLength(2);
    expect(result.explicitAcks).toHaveLength(1);
    expect(Object.keys(result.retries)).toHaveLength(1);
  });

  it("without secrets delivers unsigned, still with webhook-id and webhook-timestamp", async () => {
    const { receiver, run } = setup({ secrets: [] });
    const message = await webhookMessage();
    await run([{ id: "q1", body: message }]);
    const headers = receiver.received[0]!.headers;
    expect(headers["webhook-id"]).toBe(message.eventId);
    expect(headers["webhook-timestamp"]).toMatch(/^\d+$/);
    expect(headers["webhook-signature"]).toBeUndefined();
    expect(headers["x-hubx-signature"]).toBeUndefined();
  });

  it("with no URL configured acknowledges every message and does nothing else", async () => {
    const { receiver, counted, deliveries, run } = setup({ url: null });
    const message = await webhookMessage();
    const result = await run([
      { id: "q1", body: message },
      { id: "q2", body: "poison too" },
    ]);
    expect(result.explicitAcks.sort()).toEqual(["q1", "q2"]);
    expect(receiver.received).toEqual([]);
    expect(counted()).toEqual([]);
    expect(await deliveries.find(message.eventId)).toBeUndefined();
  });
});
