import type { MetricsShard, ShardSnapshot } from "../../durable-objects/metrics-shard";
import type { MetricsStore } from "./recorder";

type ShardNamespace = DurableObjectNamespace<MetricsShard>;

/** The name of shard `index`: shards are addressed by name, so every isolate finds the same few. */
export function shardName(index: number): string {
  return `shard-${index}`;
}

/** Sends deltas to the MetricsShard Durable Objects (`count` of them) and reads their totals. */
export function shardStore(namespace: ShardNamespace, count: number): MetricsStore {
  return {
    async add(shard, batchId, delta) {
      await namespace.getByName(shardName(shard)).add(batchId, delta);
    },
    read: () => readShards(namespace, count),
  };
}

/** One shard's answer to a scrape; `snapshot` is undefined when it did not answer. */
export interface ShardReading {
  shard: number;
  snapshot: ShardSnapshot | undefined;
}

/** Reads every shard in parallel; a shard that fails is reported, not fatal to the scrape. */
export async function readShards(namespace: ShardNamespace, count: number): Promise<ShardReading[]> {
  const results = await Promise.allSettled(
    Array.from({ length: count }, (_, shard) => namespace.getByName(shardName(shard)).snapshot()),
  );
  return results.map((result, shard) => ({
    shard,
    snapshot: result.status === "fulfilled" ? result.value : undefined,
  }));
}
