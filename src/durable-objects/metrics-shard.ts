import { DurableObject } from "cloudflare:workers";
import type { MetricDelta } from "../features/metrics/recorder";

export interface ShardSnapshot {
  /** Epoch seconds when this shard's storage was created. */
  startedAt: number;
  /** Series key → total since `startedAt`. */
  values: MetricDelta;
}

/** How long applied batch ids are remembered: far longer than any retry of the same batch. */
const BATCH_MEMORY_MS = 3_600_000;

/**
 * One of a few shards that hold metric totals. Isolates add their deltas to a shard chosen at
 * random (spreading write load); `/metrics` reads every shard and labels each series with its
 * shard, so Prometheus sees one monotonic counter per shard.
 *
 * Restarts: totals live in the object's SQLite storage, so an eviction, a crash or a deploy does
 * not reset them. Only lost storage does (e.g. the class deleted by a migration); then `startedAt`
 * changes (exposed as `tokens_metrics_shard_start_time_seconds{shard}`) and that shard's counters
 * start again from zero, which `rate()`/`increase()` treat as an ordinary counter reset of those
 * series alone, because the sum over shards is taken after `rate()`, never before.
 *
 * Exactly once: every delta carries a batch id; a retried batch whose first attempt did land (the
 * answer was lost) is recognised and not added twice.
 */
export class MetricsShard extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      const sql = this.ctx.storage.sql;
      sql.exec("CREATE TABLE IF NOT EXISTS samples (key TEXT PRIMARY KEY, value REAL NOT NULL)");
      sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value REAL NOT NULL)");
      sql.exec("CREATE TABLE IF NOT EXISTS batches (id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)");
      sql.exec(
        "INSERT INTO meta (key, value) VALUES ('started_at', ?) ON CONFLICT (key) DO NOTHING",
        Math.floor(Date.now() / 1000),
      );
    });
  }

  /** Adds a delta once per `batchId`. The writes are synchronous, hence one atomic transaction. */
  async add(batchId: string, delta: MetricDelta): Promise<void> {
    const sql = this.ctx.storage.sql;
    const now = Date.now();
    const fresh = sql.exec(
      "INSERT INTO batches (id, applied_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING",
      batchId,
      now,
    ).rowsWritten;
    if (fresh === 0) return;
    for (const [key, amount] of Object.entries(delta)) {
      if (typeof amount !== "number" || !Number.isFinite(amount)) continue;
      sql.exec(
        "INSERT INTO samples (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = value + excluded.value",
        key,
        amount,
      );
    }
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(now + BATCH_MEMORY_MS);
  }

  snapshot(): ShardSnapshot {
    const sql = this.ctx.storage.sql;
    const values: MetricDelta = {};
    for (const row of sql.exec<{ key: string; value: number }>("SELECT key, value FROM samples")) {
      values[row.key] = row.value;
    }
    const started = sql.exec<{ value: number }>("SELECT value FROM meta WHERE key = 'started_at'").one();
    return { startedAt: started.value, values };
  }

  /** Forgets batch ids old enough that no retry can still arrive. */
  override async alarm(): Promise<void> {
    const sql = this.ctx.storage.sql;
    const now = Date.now();
    sql.exec("DELETE FROM batches WHERE applied_at < ?", now - BATCH_MEMORY_MS);
    const remaining = sql.exec<{ n: number }>("SELECT count(*) AS n FROM batches").one().n;
    if (remaining > 0) await this.ctx.storage.setAlarm(now + BATCH_MEMORY_MS);
  }
}
