import { env } from "cloudflare:test";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { loadConfig } from "../../../src/config";
import { createD1Database } from "../../../src/db/d1";
import { EMAIL_DEAD_LETTER_QUEUE, EMAIL_RETRY_BACKOFF } from "../../../src/features/email/consumer";
import { EMAIL_TEMPLATES, type QueuedEmail } from "../../../src/features/email/message";
import { CapturedEmailRepository } from "../../../src/features/email/transports/capture";
import { EMAIL_TRANSPORTS } from "../../../src/features/email/transports/transport";
import { renderExposition } from "../../../src/features/metrics/exposition";
import { readShards } from "../../../src/features/metrics/shards";
import worker from "../../../src/index";
import { createQueueHandler, QUEUES } from "../../../src/jobs/queue";
import { retryDelaySeconds } from "../../../src/platform/backoff";
import { ManualClock } from "../../../src/platform/clock";
import { defaultPlatformDeps } from "../../../src/platform/deps";
import { asQueued, constantRandom, emailMessage, runQueueBatch } from "../../helpers/email";
import { parseExposition, total } from "../../helpers/prometheus";

// The Worker's queue handler, as the Queues runtime calls it, with real D1 and the real transports.

const random = constantRandom(0);
const handler = createQueueHandler({ clock: new ManualClock(Date.UTC(2026, 0, 1)), random });
const captured = new CapturedEmailRepository(createD1Database(env.DB));
// The Email Service transport over a binding that always refuses: a repeatable transport failure.
const failingEnv = {
  ...env,
  MAIL_TRANSPORT: "email-service",
  EMAIL: { send: () => Promise.reject(new Error("the relay is down")) },
} as unknown as Env;

let logs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  logs = [];
});
function captureLogs() {
  vi.spyOn(console, "log").mockImplementation((line: string) => {
    logs.push(line);
  });
}

const run = (
  messages: { id: string; body: unknown; attempts?: number }[],
  queue: string = QUEUES.email,
  workerEnv: Env = env,
) => runQueueBatch(handler, queue, messages, workerEnv);

describe("e-mail queue handler", () => {
  it("the Worker exports the queue handler", () => {
    expect(typeof worker.queue).toBe("function");
  });

  it("renders, sends through the configured transport (capture) and acknowledges", async () => {
    const message = emailMessage();
    const result = await run([{ id: "m1", body: message }]);
    expect(result.explicitAcks).toEqual(["m1"]);
    expect(result.retryMessages).toEqual([]);
    const [email] = await captured.listTo(message.to);
    expect(email).toMatchObject({
      id: message.id,
      from: "no-reply@example.com",
      subject: "Redefinição de senha no Edge Auth",
    });
    expect(email!.text).toContain(`http://localhost:8787/reset-password#token=${message.data.token}`);
  });

  it("acknowledges each message on its own: one failure does not hold back the others", async () => {
    const good = emailMessage();
    const poison = { ...emailMessage(), to: "not an address" };
    const result = await run([
      { id: "good", body: good },
      { id: "poison", body: poison },
    ]);
    expect(result.explicitAcks.sort()).toEqual(["good", "poison"]);
    expect(await captured.listTo(good.to)).toHaveLength(1);
  });

  it("drops poison (a body that is not an e-mail message) with an error log that holds no body", async () => {
    captureLogs();
    const secret = "prs_poison-token-value";
    const bodies: unknown[] = [
      "not an object",
      null,
      { ...emailMessage(), template: "welcome" },
      { ...emailMessage(), to: "victim-at-example.test", data: { token: secret } },
      { ...emailMessage(), data: { token: 42 } },
    ];
    const result = await run(bodies.map((body, index) => ({ id: `p${index}`, body })));
    expect(result.explicitAcks.sort()).toEqual(["p0", "p1", "p2", "p3", "p4"]);
    expect(result.retryMessages).toEqual([]);
    const entries = logs.map((line) => JSON.parse(line));
    expect(entries.filter((entry) => entry.msg.includes("poison"))).toHaveLength(5);
    expect(entries.find((entry) => entry.queueMessageId === "p3")?.invalidFields).toEqual(["to"]);
    expect(logs.join("\n")).not.toContain(secret);
    expect(logs.join("\n")).not.toContain("victim");
  });

  it("data sealed under a key that is not configured (or moved to another message) is retried, then dead-lettered", async () => {
    captureLogs();
    const maxRetries = loadConfig(env).mail.maxRetries;
    const otherKey = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "");
    const unknownKey = (await asQueued(emailMessage(), { DATA_ENCRYPTION_KEY: otherKey })) as QueuedEmail;
    const first = (await asQueued(emailMessage(), env)) as QueuedEmail;
    const moved = { ...((await asQueued(emailMessage(), env)) as QueuedEmail), sealedData: first.sealedData };
    const result = await runQueueBatch(
      handler,
      QUEUES.email,
      [
        { id: "k1", body: unknownKey },
        { id: "k2", body: moved, attempts: maxRetries + 1 },
      ],
      env,
    );
    expect(result.explicitAcks).toEqual([]);
    expect(result.retries).toEqual({ k1: { delaySeconds: 30 }, k2: undefined });
    expect(await captured.listTo(moved.to)).toEqual([]);
    expect(logs.filter((line) => line.includes("does not open"))).toHaveLength(2);
  });

  it("drops a message whose data does not fit its template (missing token) as poison", async () => {
    captureLogs();
    const message = emailMessage({ data: { name: "Maria" } });
    const result = await run([{ id: "m1", body: message }]);
    expect(result.explicitAcks).toEqual(["m1"]);
    const entry = JSON.parse(logs.find((line) => line.includes("poison"))!);
    expect(entry).toMatchObject({ level: "error", emailId: message.id, invalidFields: ["token"] });
    expect(await captured.listTo(message.to)).toEqual([]);
  });

  it("retries a failed send with the exponential backoff computed from attempts", async () => {
    captureLogs();
    const messages = [1, 2, 3, 5].map((attempts) => ({ id: `a${attempts}`, body: emailMessage(), attempts }));
    const result = await run(messages, QUEUES.email, failingEnv);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((retry: { msgId: string }) => retry.msgId).sort()).toEqual([
      "a1",
      "a2",
      "a3",
      "a5",
    ]);
    expect(result.retries).toEqual({
      a1: { delaySeconds: 30 },
      a2: { delaySeconds: 60 },
      a3: { delaySeconds: 120 },
      a5: { delaySeconds: 480 },
    });
    for (const attempts of [1, 2, 3, 5]) {
      expect(result.retries[`a${attempts}`]?.delaySeconds).toBe(
        retryDelaySeconds(attempts, random, EMAIL_RETRY_BACKOFF),
      );
    }
    const warnings = logs
      .map((line) => JSON.parse(line))
      .filter((entry) => entry.msg === "email not sent: retrying");
    expect(warnings).toHaveLength(4);
    expect(warnings[0].error.message).toContain("the relay is down");
  });

  it("on the final attempt logs the failure (no token, no address) and hands the message to the DLQ", async () => {
    captureLogs();
    const message = emailMessage();
    const maxRetries = loadConfig(env).mail.maxRetries;
    const result = await run(
      [{ id: "last", body: message, attempts: maxRetries + 1 }],
      QUEUES.email,
      failingEnv,
    );
    expect(result.explicitAcks).toEqual([]);
    // A retry without delay on the final attempt: the Queue moves the message to the DLQ.
    expect(result.retryMessages).toEqual([{ msgId: "last" }]);
    expect(result.retries).toEqual({ last: undefined });
    const entry = JSON.parse(logs.find((line) => line.includes("final attempt"))!);
    expect(entry).toMatchObject({
      level: "error",
      emailId: message.id,
      requestId: message.requestId,
      traceId: message.traceId,
      template: "password-reset",
      attempts: maxRetries + 1,
      maxRetries,
    });
    expect(entry.msg).toContain(EMAIL_DEAD_LETTER_QUEUE);
    expect(entry.recipientHash).toMatch(/^[0-9a-f]{16}$/);
    const everything = logs.join("\n");
    expect(everything).not.toContain(message.to);
    expect(everything).not.toContain(message.data.token);
  });

  it("acknowledges a redelivered message that was already sent; one captured copy", async () => {
    const message = emailMessage();
    await run([{ id: "first", body: message }]);
    const again = await run([{ id: "again", body: message, attempts: 2 }]);
    expect(again.explicitAcks).toEqual(["again"]);
    expect(await captured.listTo(message.to)).toHaveLength(1);
  });

  it("retries a batch from a queue without a consumer instead of acknowledging it", async () => {
    captureLogs();
    const result = await run([{ id: "w1", body: { event: "invite.created" } }], "edge-auth-renamed");
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryBatch).toEqual({ retry: true });
    expect(result.retryAllCalls).toEqual([{ delaySeconds: 300 }]);
    const entry = JSON.parse(logs[0]!);
    expect(entry).toMatchObject({ level: "error", queue: "edge-auth-renamed", messages: 1 });
    expect(logs[0]).not.toContain("invite.created");
  });
});

describe("e-mail metrics through the queue handler", () => {
  const EMAIL_COUNTERS = [
    "tokens_emails_sent_total",
    "tokens_emails_failed_total",
    "tokens_emails_retried_total",
    "tokens_emails_poison_total",
  ];
  // Real randomness: a metrics flush's batch id comes from it, and a shard applies a repeated id
  // once, so a constant source would make every flush after the first look like a redelivery.
  const metered = createQueueHandler(defaultPlatformDeps);
  const send = (messages: { id: string; body: unknown; attempts?: number }[], workerEnv: Env = env) =>
    runQueueBatch(metered, QUEUES.email, messages, workerEnv);
  // The shards as they are, read directly: `GET /metrics` would flush this isolate's buffer first
  // and hide a handler that returned without flushing.
  const scrape = async () =>
    parseExposition(renderExposition(await readShards(env.METRICS_SHARD, loadConfig(env).metrics.shards)));

  it("each outcome moves its counter by exactly one, flushed before the handler returns", async () => {
    captureLogs();
    const maxRetries = loadConfig(env).mail.maxRetries;
    const before = await scrape();
    await send([{ id: "sent", body: emailMessage() }]);
    await send(
      [{ id: "last", body: emailMessage({ template: "verify-email" }), attempts: maxRetries + 1 }],
      failingEnv,
    );
    await send([{ id: "poison", body: { nope: true } }]);
    // The handler awaited the flush itself: the counts are in the shards before it returned.
    const after = await scrape();
    const moved = (name: string, labels: Record<string, string> = {}) =>
      total(after, name, labels) - total(before, name, labels);
    expect(moved("tokens_emails_sent_total", { template: "password-reset", transport: "capture" })).toBe(1);
    expect(
      moved("tokens_emails_failed_total", { template: "verify-email", transport: "email-service" }),
    ).toBe(1);
    expect(moved("tokens_emails_poison_total", { template: "unknown", transport: "capture" })).toBe(1);
    expect(EMAIL_COUNTERS.map((name) => moved(name))).toEqual([1, 1, 0, 1]);
  });

  it("every template and transport series exists at zero from the first scrape", async () => {
    const samples = await scrape();
    const series = (name: string) =>
      new Set(
        samples
          .filter((sample) => sample.name === name)
          .map((sample) => `${sample.labels.template}/${sample.labels.transport}`),
      );
    expect(series("tokens_emails_retried_total")).toContain("two-factor-code/smtp");
    expect(series("tokens_emails_poison_total")).toContain("unknown/email-service");
    expect(series("tokens_emails_failed_total").size).toBe(EMAIL_TEMPLATES.length * EMAIL_TRANSPORTS.length);
    expect(series("tokens_emails_sent_total")).toContain("password-changed/email-service");
  });
});

describe("the consumer agrees with wrangler.toml", () => {
  const settings = inject("emailQueue");
  it("queue name, max_retries (EMAIL_MAX_RETRIES) and dead-letter queue", () => {
    expect(settings.queue).toBe(QUEUES.email);
    expect(settings.maxRetries).toBe(loadConfig(env).mail.maxRetries);
    expect(settings.deadLetterQueue).toBe(EMAIL_DEAD_LETTER_QUEUE);
  });
});
