import { DurableObject } from "cloudflare:workers";

/** Increments for one shard: sample key (name + sorted labels) → amount to add. */
export type MetricDelta = Record<string, number>;

export interface ShardSnapshot {
  /** Epoch seconds when this shard's storage was first written. */
  startedAt: number;
  values: MetricDelta;
}

/**
 * One of a few shards that hold metric totals. Isolates add their deltas to a shard chosen at
 * random (spreading write load); `/metrics` sums every shard. Totals live in the object's durable
 * SQLite storage, so an eviction or restart does not reset counters; `startedAt` only changes if
 * the storage itself is new, which is what the per-shard start-time gauge exposes.
 */
export class MetricsShard extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.ctx.storage.sql.exec(
        "CREATE TABLE IF NOT EXISTS samples (key TEXT PRIMARY KEY, value REAL NOT NULL)",
      );
      this.ctx.storage.sql.exec(
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value REAL NOT NULL)",
      );
      this.ctx.storage.sql.exec(
        "INSERT INTO meta (key, value) VALUES ('started_at', ?) ON CONFLICT (key) DO NOTHING",
        Math.floor(Date.now() / 1000),
      );
    });
  }

  add(delta: MetricDelta): void {
    for (const [key, amount] of Object.entries(delta)) {
      if (!Number.isFinite(amount) || amount === 0) continue;
      this.ctx.storage.sql.exec(
        "INSERT INTO samples (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = value + excluded.value",
        key,
        amount,
      );
    }
  }

  snapshot(): ShardSnapshot {
    const values: MetricDelta = {};
    for (const row of this.ctx.storage.sql.exec<{ key: string; value: number }>(
      "SELECT key, value FROM samples",
    )) {
      values[row.key] = row.value;
    }
    const started = this.ctx.storage.sql
      .exec<{ value: number }>("SELECT value FROM meta WHERE key = 'started_at'")
      .one();
    return { startedAt: started.value, values };
  }
}
