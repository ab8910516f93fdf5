import { METRICS, type MetricName } from "./catalog";

/**
 * How recorded samples are keyed on their way to a shard and inside it:
 * `<metric>|<label block>|<part>`, where the label block is already in exposition form
 * (`method="GET",route="/healthz"`, catalog label order, values escaped) and the part is empty for a
 * counter, or `sum`, `count`, `le=<bound>` for a histogram (bucket counts are stored per bucket and
 * made cumulative when rendered). Keys never hold a shard: the scrape adds it.
 */
export type SeriesPart = "" | "sum" | "count" | `le=${string}`;

export interface SeriesKey {
  metric: MetricName;
  block: string;
  part: SeriesPart;
}

const MAX_OPEN_LABEL_LENGTH = 128;

/** Escapes a label value as the text format requires: backslash, double quote and line feed. */
function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** The label block of `labels` for `metric`, in catalog order; open values are capped in length. */
export function labelBlock(metric: MetricName, labels: Readonly<Record<string, string>>): string {
  const specs = METRICS[metric].labels as Record<string, unknown>;
  return Object.keys(specs)
    .map((name) => {
      const value = String(labels[name] ?? "").slice(0, MAX_OPEN_LABEL_LENGTH);
      return `${name}="${escapeLabelValue(value)}"`;
    })
    .join(",");
}

export function seriesKey(metric: MetricName, block: string, part: SeriesPart): string {
  return `${metric}|${block}|${part}`;
}

/** Splits a key; undefined for keys of metrics no longer in the catalog (they are not rendered). */
export function parseSeriesKey(key: string): SeriesKey | undefined {
  const first = key.indexOf("|");
  const last = key.lastIndexOf("|");
  if (first < 0 || last === first) return undefined;
  const metric = key.slice(0, first);
  if (!Object.hasOwn(METRICS, metric)) return undefined;
  return {
    metric: metric as MetricName,
    block: key.slice(first + 1, last),
    part: key.slice(last + 1) as SeriesPart,
  };
}

/** The bucket part a value falls in: the smallest bound ≥ value, else `+Inf`. */
export function bucketPart(buckets: readonly number[], value: number): SeriesPart {
  const bound = buckets.find((upper) => value <= upper);
  return `le=${bound === undefined ? "+Inf" : String(bound)}`;
}
