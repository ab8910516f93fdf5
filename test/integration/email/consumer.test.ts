import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createD1Database } from "../../../src/db/d1";
import { consumeEmailBatch } from "../../../src/features/email/consumer";
import { EmailDeliveryRepository } from "../../../src/features/email/delivery-repository";
import { DELIVERY_LEASE_MS, EmailSender } from "../../../src/features/email/sender";
import type { EmailTransport, OutgoingEmail } from "../../../src/features/email/transports/transport";
import { MetricsBuffer, MetricsRecorder } from "../../../src/features/metrics/recorder";
import { parseSeriesKey } from "../../../src/features/metrics/series";
import { ManualClock } from "../../../src/platform/clock";
import { createLogger } from "../../../src/platform/logger";
import { constantRandom, dataBox, emailMessage, logSink, runQueueBatch } from "../../helpers/email";

// The consumer with a transport the test controls (how many sends, which ones fail), over real D1.

class RecordingTransport implements EmailTransport {
  readonly name = "smtp";
  readonly sent: OutgoingEmail[] = [];
  failures = 0;
  #hold?: { entered: () => void; released: Promise<void> };

  /** Holds the next send open: `entered` settles once it reached the transport, `release` ends it. */
  holdNextSend() {
    let entered: () => void = () => undefined;
    let release: () => void = () => undefined;
    const reached = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.#hold = { entered, released };
    return { entered: reached, release };
  }

  async send(email: OutgoingEmail): Promise<void> {
    const hold = this.#hold;
    this.#hold = undefined;
    if (hold) {
      hold.entered();
      await hold.released;
    }
    if (this.failures > 0) {
      this.failures--;
      throw new Error(`550 mailbox ${email.to} unavailable`);
    }
    this.sent.push(email);
  }
}

function setup() {
  const transport = new RecordingTransport();
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const sink = logSink();
  const logger = createLogger("debug", {}, sink.write);
  // The real recorder over a buffer of its own, never flushed: what it holds is what was counted.
  const buffer = new MetricsBuffer();
  const metrics = new MetricsRecorder(
    buffer,
    { add: () => Promise.reject(new Error("not flushed in this test")), read: async () => [] },
    { shards: 1, flushDelayMs: 0, clock, random: constantRandom(0), logger },
  );
  const counted = () =>
    [...buffer.pending].map(([key, value]) => {
      const series = parseSeriesKey(key)!;
      return [series.metric, series.block, value];
    });
  const sender = new EmailSender({
    transport,
    deliveries: new EmailDeliveryRepository(createD1Database(env.DB)),
    from: { name: "Edge Auth", address: "no-reply@example.test" },
    templates: { appName: "Edge Auth", baseUrl: "https://app.example.test" },
    clock,
    logger,
  });
  const handler = async (batch: MessageBatch<unknown>) =>
    consumeEmailBatch(batch, {
      sender,
      metrics,
      random: constantRandom(0),
      logger,
      maxRetries: 5,
      cipher: await dataBox(env),
    });
  const run = (messages: { id: string; body: unknown; attempts?: number }[]) =>
    runQueueBatch(handler, "edge-auth-email", messages, env);
  return { transport, clock, sink, counted, run };
}

describe("e-mail consumer", () => {
  it("sends once, acknowledges, counts and logs without the address or token", async () => {
    const { transport, sink, counted, run } = setup();
    const message = emailMessage();
    const result = await run([{ id: "q1", body: message }]);
    expect(result.explicitAcks).toEqual(["q1"]);
    expect(transport.sent).toHaveLength(1);
    expect(transport.sent[0]).toMatchObject({
      id: message.id,
      to: message.to,
      from: { name: "Edge Auth", address: "no-reply@example.test" },
      subject: "Redefinição de senha no Edge Auth",
    });
    expect(counted()).toEqual([
      ["tokens_emails_sent_total", 'template="password-reset",transport="smtp"', 1],
    ]);
    const sent = sink.entries().find((entry) => entry.msg === "email sent");
    expect(sent).toMatchObject({
      emailId: message.id,
      requestId: message.requestId,
      transport: "smtp",
      attempts: 1,
    });
    expect(sink.lines.join("\n")).not.toContain(message.to);
    expect(sink.lines.join("\n")).not.toContain(message.data.token);
  });

  it("a redelivered message whose id was sent is acknowledged without sending again", async () => {
    const { transport, run } = setup();
    const message = emailMessage();
    await run([{ id: "q1", body: message }]);
    const redelivery = await run([{ id: "q1", body: message, attempts: 2 }]);
    // The same e-mail enqueued twice (two queue messages, one e-mail id) is sent once too.
    const duplicate = await run([{ id: "q2", body: message }]);
    expect(redelivery.explicitAcks).toEqual(["q1"]);
    expect(duplicate.explicitAcks).toEqual(["q2"]);
    expect(transport.sent).toHaveLength(1);
  });

  it("two deliveries of one e-mail at the same time send it once; the other waits for the lease", async () => {
    const { transport, run } = setup();
    const message = emailMessage();
    const hold = transport.holdNextSend();
    const first = run([{ id: "q1", body: message }]);
    // The first delivery has claimed the id and is inside the transport when the second arrives.
    await hold.entered;
    const second = await run([{ id: "q1-again", body: message, attempts: 2 }]);
    hold.release();
    expect((await first).explicitAcks).toEqual(["q1"]);
    expect(second.explicitAcks).toEqual([]);
    expect(second.retries).toEqual({ "q1-again": { delaySeconds: DELIVERY_LEASE_MS / 1000 } });
    expect(transport.sent).toHaveLength(1);
  });

  it("a failed send releases its claim, so the retry sends; failures are counted as retried", async () => {
    const { transport, sink, counted, run } = setup();
    transport.failures = 1;
    const message = emailMessage();
    const failed = await run([{ id: "q1", body: message }]);
    expect(failed.retries).toEqual({ q1: { delaySeconds: 30 } });
    const retried = await run([{ id: "q1", body: message, attempts: 2 }]);
    expect(retried.explicitAcks).toEqual(["q1"]);
    expect(transport.sent).toHaveLength(1);
    expect(counted().map(([metric, , value]) => [metric, value])).toEqual([
      ["tokens_emails_retried_total", 1],
      ["tokens_emails_sent_total", 1],
    ]);
    // The transport's error quoted the address: logs mask it.
    const warning = sink.entries().find((entry) => entry.msg === "email not sent: retrying");
    expect(JSON.stringify(warning)).toContain("550 mailbox [address] unavailable");
    expect(sink.lines.join("\n")).not.toContain(message.to);
  });

  it("counts a final failure as failed and poison as poison", async () => {
    const { transport, counted, run } = setup();
    transport.failures = 1;
    await run([{ id: "last", body: emailMessage({ template: "verify-email" }), attempts: 6 }]);
    await run([{ id: "bad", body: { nope: true } }]);
    expect(counted()).toEqual([
      ["tokens_emails_failed_total", 'template="verify-email",transport="smtp"', 1],
      ["tokens_emails_poison_total", 'template="unknown",transport="smtp"', 1],
    ]);
  });
});
