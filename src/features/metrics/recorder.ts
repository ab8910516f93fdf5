import type { Clock } from "../../platform/clock";
import { hexEncode } from "../../platform/encoding";
import type { Logger } from "../../platform/logger";
import type { RandomSource } from "../../platform/random";
import { type CounterName, type HistogramName, type LabelsOf, METRICS } from "./catalog";
import { renderExposition } from "./exposition";
import { bucketPart, labelBlock, seriesKey } from "./series";
import type { ShardReading } from "./shards";

/** Increments for one shard: series key → amount to add. */
export type MetricDelta = Record<string, number>;

/** Where deltas go and totals come from: the MetricsShard Durable Objects in production (`shardStore`), a fake in unit tests. */
export interface MetricsStore {
  /** Adds `delta` to shard `shard`; a repeated `batchId` is applied once. */
  add(shard: number, batchId: string, delta: MetricDelta): Promise<void>;
  /** Every shard's totals; a shard that does not answer is reported, not fatal. */
  read(): Promise<ShardReading[]>;
}

interface Batch {
  id: string;
  shard: number;
  delta: MetricDelta;
  attempts: number;
}

/**
 * What this isolate recorded and has not yet handed to a shard. One per isolate (module state in
 * `isolateMetrics`), shared by every request the isolate serves, so concurrent requests coalesce
 * into one shard write while a previous write is in flight. It holds numbers only, no binding.
 */
export class MetricsBuffer {
  pending = new Map<string, number>();
  /** The batch being written, kept with its id for a retry that the shard will not double-count. */
  unsent: Batch | undefined;
  /** The write loop running now; `generation` tells a loop that a newer one replaced it. */
  inflight: { promise: Promise<void>; startedAt: number; generation: number } | undefined;
  generation = 0;
  /** A flush planned a little later, which every request until then shares. */
  planned: { promise: Promise<void>; at: number } | undefined;

  add(key: string, amount: number): void {
    this.pending.set(key, (this.pending.get(key) ?? 0) + amount);
  }
}

/** The isolate's buffer; `createServices` hands it to every request's recorder. */
export const isolateMetrics = new MetricsBuffer();

type LabelArgs<N extends CounterName | HistogramName> = keyof LabelsOf<N> extends never
  ? [labels?: Record<string, never>]
  : [labels: LabelsOf<N>];
type IncrementArgs<N extends CounterName> = keyof LabelsOf<N> extends never
  ? [labels?: Record<string, never>, by?: number]
  : [labels: LabelsOf<N>, by?: number];
type AnyLabels = Readonly<Record<string, string>> | undefined;

export interface MetricsRecorderOptions {
  shards: number;
  /** How long `flushSoon` waits so that the requests of that moment share one shard write. */
  flushDelayMs: number;
  clock: Clock;
  random: RandomSource;
  logger: Logger;
}

/** A failed batch is retried by the next flushes; after this many failures its counts are dropped. */
const MAX_ATTEMPTS = 3;
/**
 * A write or a planned flush belongs to the request that started it (its `waitUntil`). If that
 * request's context is cancelled (30 s after the response) the promise never settles; past this age
 * the next flush stops waiting for it and starts afresh, so one stuck write cannot stop the isolate
 * from ever flushing again.
 */
const STALE_MS = 10_000;

/**
 * Records counters and histograms into the isolate's delta and flushes it to a metrics shard picked
 * at random. Recording is synchronous and cheap; the flush is one Durable Object call, run with
 * `waitUntil`. The HTTP middleware calls `flushSoon(ctx)` after every request: the isolate writes
 * at most once per `METRICS_FLUSH_DELAY_MS` however many requests it serves, so shard load grows
 * with isolates, not with traffic. A queue or cron handler awaits `flush()` before returning.
 *
 * @example
 * const { metrics } = c.get("services");
 * metrics.increment("tokens_invites_created_total");
 * metrics.increment("tokens_validation_fail_total", { reason: "expired" });
 * const stop = metrics.startTimer("tokens_validation_latency_seconds"); … stop();
 * metrics.observe("tokens_webhook_latency_seconds", 0.42);
 * ctx.waitUntil(metrics.flush()); // queue/cron handlers only; HTTP requests are flushed for you
 */
export class MetricsRecorder {
  readonly #buffer: MetricsBuffer;
  readonly #store: MetricsStore;
  readonly #options: MetricsRecorderOptions;

  constructor(buffer: MetricsBuffer, store: MetricsStore, options: MetricsRecorderOptions) {
    this.#buffer = buffer;
    this.#store = store;
    this.#options = options;
  }

  /** Adds `by` (default 1) to a counter; 0 creates the series at zero. */
  increment<N extends CounterName>(name: N, ...args: IncrementArgs<N>): void {
    const [labels, by = 1] = args as [AnyLabels, number?];
    if (!Number.isFinite(by) || by < 0) throw new RangeError(`${name}: a counter only goes up`);
    // Adding 0 is not a no-op: it makes the series exist (e.g. a cleanup step that found nothing).
    this.#buffer.add(seriesKey(name, labelBlock(name, labels ?? {}), ""), by);
  }

  /** Records one observation (seconds) into a histogram. */
  observe<N extends HistogramName>(name: N, seconds: number, ...args: LabelArgs<N>): void {
    if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError(`${name}: not a duration`);
    const [labels] = args as [AnyLabels];
    const block = labelBlock(name, labels ?? {});
    this.#buffer.add(seriesKey(name, block, bucketPart(METRICS[name].buckets, seconds)), 1);
    this.#buffer.add(seriesKey(name, block, "sum"), seconds);
    this.#buffer.add(seriesKey(name, block, "count"), 1);
  }

  /** Starts timing with the injected clock; the returned function observes and returns the seconds. */
  startTimer<N extends HistogramName>(name: N, ...labels: LabelArgs<N>): () => number {
    const started = this.#options.clock.now().getTime();
    return () => {
      const seconds = Math.max(0, this.#options.clock.now().getTime() - started) / 1000;
      this.observe(name, seconds, ...labels);
      return seconds;
    };
  }

  /**
   * Hands everything recorded so far in this isolate to a shard. Concurrent calls share one write;
   * the promise settles once what was recorded before the call is stored (or has failed and waits
   * for the next flush to retry it). Never rejects: metrics must not fail a request.
   */
  flush(): Promise<void> {
    const buffer = this.#buffer;
    buffer.planned = undefined;
    const current = buffer.inflight;
    if (current && Date.now() - current.startedAt < STALE_MS) {
      return current.promise.then(() => (buffer.pending.size ? this.flush() : undefined));
    }
    if (!buffer.unsent && buffer.pending.size === 0) return Promise.resolve();
    const generation = ++buffer.generation;
    const promise = this.#drain(generation).finally(() => {
      if (buffer.inflight?.generation === generation) buffer.inflight = undefined;
    });
    buffer.inflight = { promise, startedAt: Date.now(), generation };
    return promise;
  }

  /**
   * The Prometheus text exposition of every shard's totals, after handing this isolate's own
   * counts over (so a scrape sees at least everything this isolate recorded).
   */
  async scrape(): Promise<string> {
    await this.flush();
    return renderExposition(await this.#store.read());
  }

  /**
   * Plans a flush in `flushDelayMs` unless one is already planned: the request that plans it keeps
   * the isolate alive for it through `ctx.waitUntil`; every other request of that moment just adds
   * its counts to the buffer the planned flush will send. So an isolate keeps at most one request
   * context waiting per delay, not one per request. Never rejects.
   */
  flushSoon(ctx: Pick<ExecutionContext, "waitUntil">): void {
    const buffer = this.#buffer;
    const delay = this.#options.flushDelayMs;
    if (delay <= 0) {
      ctx.waitUntil(this.flush());
      return;
    }
    if (buffer.planned && Date.now() - buffer.planned.at <= delay + STALE_MS) return;
    const promise = new Promise<void>((resolve) => setTimeout(resolve, delay)).then(() => this.flush());
    buffer.planned = { promise, at: Date.now() };
    ctx.waitUntil(promise);
  }

  async #drain(generation: number): Promise<void> {
    const buffer = this.#buffer;
    for (let batch = this.#nextBatch(); batch; batch = this.#nextBatch()) {
      try {
        await this.#store.add(batch.shard, batch.id, batch.delta);
        if (buffer.unsent === batch) buffer.unsent = undefined;
      } catch (error) {
        batch.attempts += 1;
        const dropped = batch.attempts >= MAX_ATTEMPTS;
        if (dropped && buffer.unsent === batch) buffer.unsent = undefined;
        this.#options.logger.error("metrics flush failed", {
          shard: batch.shard,
          attempts: batch.attempts,
          dropped,
          series: Object.keys(batch.delta).length,
          error,
        });
        return;
      }
      if (buffer.generation !== generation) return;
    }
  }

  #nextBatch(): Batch | undefined {
    const buffer = this.#buffer;
    if (buffer.unsent) return buffer.unsent;
    if (buffer.pending.size === 0) return undefined;
    const delta = Object.fromEntries(buffer.pending);
    buffer.pending.clear();
    const [high = 0, low = 0] = this.#options.random.bytes(2);
    buffer.unsent = {
      id: hexEncode(this.#options.random.bytes(16)),
      shard: ((high << 8) | low) % this.#options.shards,
      delta,
      attempts: 0,
    };
    return buffer.unsent;
  }
}
