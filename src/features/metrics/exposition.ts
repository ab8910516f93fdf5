import { METRICS, type MetricDefinition, type MetricName, SHARD_LABEL } from "./catalog";
import { labelBlock, parseSeriesKey } from "./series";
import type { ShardReading } from "./shards";

/** The Content-Type of Prometheus text exposition format 0.0.4. */
export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

type ShardValues = Map<string, number>;
/** metric → label block → shard → part → value */
type Collected = Map<MetricName, Map<string, Map<number, ShardValues>>>;

/**
 * Renders shard readings as Prometheus text format 0.0.4: HELP and TYPE for every catalog metric,
 * every series labelled with its shard, enumerable series present at zero from the first scrape,
 * histogram buckets cumulative. A shard that did not answer contributes no series (and `up` 0).
 */
export function renderExposition(readings: readonly ShardReading[]): string {
  const answered = readings.filter((reading) => reading.snapshot).map((reading) => reading.shard);
  const collected = collect(readings, answered);
  const lines: string[] = [];
  for (const [metric, definition] of Object.entries(METRICS) as [MetricName, MetricDefinition][]) {
    lines.push(`# HELP ${metric} ${escapeHelp(definition.help)}`, `# TYPE ${metric} ${definition.type}`);
    if (metric === "tokens_metrics_shard_up") {
      for (const { shard, snapshot } of readings)
        lines.push(`${metric}{${shardLabel(shard)}} ${snapshot ? 1 : 0}`);
      continue;
    }
    if (metric === "tokens_metrics_shard_start_time_seconds") {
      for (const { shard, snapshot } of readings)
        if (snapshot) lines.push(`${metric}{${shardLabel(shard)}} ${snapshot.startedAt}`);
      continue;
    }
    for (const [block, shards] of collected.get(metric) ?? []) {
      for (const [shard, values] of shards) {
        const labels = block ? `${block},${shardLabel(shard)}` : shardLabel(shard);
        if (definition.type === "histogram")
          lines.push(...histogramLines(metric, definition, labels, values));
        else lines.push(`${metric}{${labels}} ${formatValue(values.get("") ?? 0)}`);
      }
    }
  }
  return `${lines.join("\n")}\n`;
}

function collect(readings: readonly ShardReading[], answered: readonly number[]): Collected {
  const collected: Collected = new Map();
  const slot = (metric: MetricName, block: string, shard: number): ShardValues => {
    const blocks = getOrCreate(collected, metric, () => new Map<string, Map<number, ShardValues>>());
    const shards = getOrCreate(blocks, block, () => new Map<number, ShardValues>());
    return getOrCreate(shards, shard, () => new Map<string, number>());
  };
  for (const [metric, definition] of Object.entries(METRICS) as [MetricName, MetricDefinition][]) {
    for (const labels of prefilledLabelSets(definition)) {
      const block = labelBlock(metric, labels);
      for (const shard of answered) slot(metric, block, shard);
    }
  }
  for (const { shard, snapshot } of readings) {
    for (const [key, value] of Object.entries(snapshot?.values ?? {})) {
      const parsed = parseSeriesKey(key);
      if (!parsed) continue;
      const values = slot(parsed.metric, parsed.block, shard);
      values.set(parsed.part, (values.get(parsed.part) ?? 0) + value);
    }
  }
  return collected;
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

/** Label sets that exist from the first scrape: every combination of enumerated labels, or `prefill`. */
function prefilledLabelSets(definition: MetricDefinition): Record<string, string>[] {
  if (definition.type === "gauge") return [];
  if (definition.prefill) return definition.prefill.map((labels) => ({ ...labels }));
  let sets: Record<string, string>[] = [{}];
  for (const [name, spec] of Object.entries(definition.labels)) {
    if (!Array.isArray(spec)) return [];
    sets = sets.flatMap((set) => (spec as readonly string[]).map((value) => ({ ...set, [name]: value })));
  }
  return sets;
}

function histogramLines(
  metric: MetricName,
  definition: MetricDefinition,
  labels: string,
  values: ShardValues,
): string[] {
  const stored = [...values]
    .filter(([part]) => part.startsWith("le="))
    .map(([part, count]) => ({
      upper: part === "le=+Inf" ? Number.POSITIVE_INFINITY : Number(part.slice(3)),
      count,
    }));
  // A stored bucket counts toward every bound at or above it, so a changed bucket layout stays valid.
  const lines = (definition.buckets ?? []).map((bound) => {
    const cumulative = stored
      .filter(({ upper }) => upper <= bound)
      .reduce((sum, { count }) => sum + count, 0);
    return `${metric}_bucket{${labels},le="${bound}"} ${formatValue(cumulative)}`;
  });
  const count = values.get("count") ?? 0;
  lines.push(
    `${metric}_bucket{${labels},le="+Inf"} ${formatValue(count)}`,
    `${metric}_sum{${labels}} ${formatValue(values.get("sum") ?? 0)}`,
    `${metric}_count{${labels}} ${formatValue(count)}`,
  );
  return lines;
}

function shardLabel(shard: number): string {
  return `${SHARD_LABEL}="${shard}"`;
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
  return String(value);
}
