import { afterEach, describe, expect, it, vi } from "vitest";
import {
  type MetricDelta,
  MetricsBuffer,
  MetricsRecorder,
  type MetricsStore,
} from "../../src/features/metrics/recorder";
import { ManualClock } from "../../src/platform/clock";
import { createLogger } from "../../src/platform/logger";
import type { RandomSource } from "../../src/platform/random";

interface Call {
  shard: number;
  batchId: string;
  delta: MetricDelta;
}

/** A sink whose writes the test completes or fails one by one. */
function controlledSink() {
  const calls: Call[] = [];
  const settle: { resolve: () => void; reject: (error: Error) => void }[] = [];
  const sink: MetricsStore = {
    add(shard, batchId, delta) {
      calls.push({ shard, batchId, delta });
      return new Promise<void>((resolve, reject) => settle.push({ resolve, reject }));
    },
    read: async () => [],
  };
  /** The next pending write, once the recorder has made it (microtasks only: works with fake timers). */
  const next = async () => {
    for (let tick = 0; tick < 100 && settle.length === 0; tick++) await Promise.resolve();
    const write = settle.shift();
    if (!write) throw new Error("no write was made");
    return write;
  };
  return { sink, calls, next };
}

const counting: RandomSource = {
  bytes: (() => {
    let n = 0;
    return (length: number) => Uint8Array.from({ length }, () => n++ % 256);
  })(),
};

function recorder(sink: MetricsStore, clock = new ManualClock(), lines: string[] = [], flushDelayMs = 0) {
  return new MetricsRecorder(new MetricsBuffer(), sink, {
    shards: 4,
    flushDelayMs,
    clock,
    random: counting,
    logger: createLogger("error", {}, (line) => lines.push(line)),
  });
}

afterEach(() => {
  vi.useRealTimers();
});

describe("MetricsRecorder", () => {
  it("keys counters by catalog label order and adds histogram bucket, sum and count", async () => {
    const { sink, calls, next } = controlledSink();
    const metrics = recorder(sink);
    metrics.increment("tokens_invites_created_total");
    metrics.increment("tokens_invites_created_total", {}, 2);
    metrics.increment("tokens_http_requests_total", { status: "2xx", route: "/healthz", method: "GET" });
    metrics.observe("tokens_validation_latency_seconds", 0.03);
    metrics.observe("tokens_validation_latency_seconds", 99);
    const flushed = metrics.flush();
    (await next()).resolve();
    await flushed;
    expect(calls).toHaveLength(1);
    expect(calls[0]!.delta).toEqual({
      "tokens_invites_created_total||": 3,
      'tokens_http_requests_total|method="GET",route="/healthz",status="2xx"|': 1,
      "tokens_validation_latency_seconds||le=0.05": 1,
      "tokens_validation_latency_seconds||le=+Inf": 1,
      "tokens_validation_latency_seconds||sum": 99.03,
      "tokens_validation_latency_seconds||count": 2,
    });
  });

  it("times with the injected clock", async () => {
    const { sink, calls, next } = controlledSink();
    const clock = new ManualClock();
    const metrics = recorder(sink, clock);
    const stop = metrics.startTimer("tokens_webhook_latency_seconds");
    clock.advance(700);
    expect(stop()).toBe(0.7);
    const flushed = metrics.flush();
    (await next()).resolve();
    await flushed;
    expect(calls[0]!.delta["tokens_webhook_latency_seconds||le=1"]).toBe(1);
  });

  it("coalesces what concurrent requests record while a write is in flight into the next write", async () => {
    const { sink, calls, next } = controlledSink();
    const metrics = recorder(sink);
    metrics.increment("tokens_invites_used_total");
    const first = metrics.flush();
    const write1 = await next();
    for (let i = 0; i < 5; i++) metrics.increment("tokens_invites_used_total");
    const second = metrics.flush();
    const third = metrics.flush();
    write1.resolve();
    (await next()).resolve();
    await Promise.all([first, second, third]);
    expect(calls.map((call) => call.delta["tokens_invites_used_total||"])).toEqual([1, 5]);
    expect(new Set(calls.map((call) => call.batchId)).size).toBe(2);
    await metrics.flush();
    expect(calls).toHaveLength(2);
  });

  it("flushSoon: the first request of a delay plans one write (its waitUntil); the others share it", async () => {
    vi.useFakeTimers();
    const { sink, calls, next } = controlledSink();
    const metrics = recorder(sink, new ManualClock(), [], 1000);
    const waited: Promise<unknown>[] = [];
    const ctx = { waitUntil: (promise: Promise<unknown>) => void waited.push(promise) };
    metrics.increment("tokens_invites_created_total");
    metrics.flushSoon(ctx);
    metrics.increment("tokens_invites_created_total", {}, 2);
    metrics.flushSoon(ctx);
    expect(waited).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    (await next()).resolve();
    await waited[0];
    expect(calls.map((call) => call.delta["tokens_invites_created_total||"])).toEqual([3]);

    metrics.increment("tokens_invites_used_total");
    metrics.flushSoon(ctx);
    expect(waited).toHaveLength(2);
    const now = metrics.flush();
    (await next()).resolve();
    await now;
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1000);
    await waited[1];
    expect(calls).toHaveLength(2);
  });

  it("flushSoon with no delay flushes at once, through waitUntil", async () => {
    const { sink, calls, next } = controlledSink();
    const metrics = recorder(sink);
    const waited: Promise<unknown>[] = [];
    metrics.increment("tokens_invites_created_total");
    metrics.flushSoon({ waitUntil: (promise) => void waited.push(promise) });
    (await next()).resolve();
    await Promise.all(waited);
    expect(calls).toHaveLength(1);
  });

  it("stops waiting for a write stuck for 10 s (its request was cancelled) and sends everything once", async () => {
    vi.useFakeTimers();
    const { sink, calls, next } = controlledSink();
    const metrics = recorder(sink);
    metrics.increment("tokens_invites_used_total");
    const stuck = metrics.flush();
    const lost = await next();
    metrics.increment("tokens_invites_used_total", {}, 2);
    vi.advanceTimersByTime(10_000);
    const fresh = metrics.flush();
    (await next()).resolve();
    (await next()).resolve();
    await fresh;
    expect(calls.map((call) => call.delta["tokens_invites_used_total||"])).toEqual([1, 1, 2]);
    expect(calls[1]!.batchId).toBe(calls[0]!.batchId);
    lost.resolve();
    await stuck;
    metrics.increment("tokens_invites_used_total", {}, 4);
    const later = metrics.flush();
    (await next()).resolve();
    await later;
    expect(calls.map((call) => call.delta["tokens_invites_used_total||"])).toEqual([1, 1, 2, 4]);
  });

  it("drops a batch after three failed attempts instead of blocking every later flush", async () => {
    const { sink, calls, next } = controlledSink();
    const metrics = recorder(sink);
    metrics.increment("tokens_refresh_token_reuse_total");
    for (let attempt = 0; attempt < 3; attempt++) {
      const flushed = metrics.flush();
      (await next()).reject(new Error("down"));
      await flushed;
    }
    metrics.increment("tokens_refresh_token_reuse_total", {}, 2);
    const flushed = metrics.flush();
    (await next()).resolve();
    await flushed;
    expect(calls.map((call) => call.delta["tokens_refresh_token_reuse_total||"])).toEqual([1, 1, 1, 2]);
  });

  it("spreads batches over the shards with the injected randomness", async () => {
    const { sink, calls, next } = controlledSink();
    const metrics = recorder(sink);
    for (let i = 0; i < 8; i++) {
      metrics.increment("tokens_invites_created_total");
      const flushed = metrics.flush();
      (await next()).resolve();
      await flushed;
    }
    expect(new Set(calls.map((call) => call.shard)).size).toBeGreaterThan(1);
    expect(calls.every((call) => call.shard >= 0 && call.shard < 4)).toBe(true);
  });

  it("refuses counters going down and negative durations", () => {
    const metrics = recorder(controlledSink().sink);
    expect(() => metrics.increment("tokens_invites_created_total", {}, -1)).toThrow(RangeError);
    expect(() => metrics.observe("tokens_webhook_latency_seconds", Number.NaN)).toThrow(RangeError);
  });

  it("types names and labels against the catalog", () => {
    const metrics = recorder(controlledSink().sink);
    const misuse = [
      // @ts-expect-error unknown metric
      () => metrics.increment("tokens_invites_created"),
      // @ts-expect-error a labelled metric needs its labels
      () => metrics.increment("tokens_validation_fail_total"),
      // @ts-expect-error a value outside the label's list
      () => metrics.increment("tokens_validation_fail_total", { reason: "bogus" }),
      // @ts-expect-error a histogram is observed, not incremented
      () => metrics.increment("tokens_webhook_latency_seconds"),
    ];
    expect(misuse).toHaveLength(4);
  });
});
