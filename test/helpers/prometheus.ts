/** One sample line of a Prometheus text exposition. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the sample lines of a text exposition (comments skipped). */
export function parseExposition(text: string): Sample[] {
  return text
    .split("\n")
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => {
      const match = LINE.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, name, value] of (match[2] ?? "").matchAll(LABEL)) {
        labels[name!] = value!.replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
      }
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

/** Sum over every sample of `name` whose labels include `match` (e.g. the sum over shards). */
export function total(samples: Sample[], name: string, match: Record<string, string> = {}): number {
  return samples
    .filter((sample) => sample.name === name)
    .filter((sample) => Object.entries(match).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);
}

/** Per-shard values of `name` matching `match`, keyed by the `shard` label. */
export function byShard(
  samples: Sample[],
  name: string,
  match: Record<string, string> = {},
): Map<string, number> {
  const shards = new Map<string, number>();
  for (const sample of samples) {
    if (sample.name !== name) continue;
    if (!Object.entries(match).every(([key, value]) => sample.labels[key] === value)) continue;
    const shard = sample.labels.shard ?? "";
    shards.set(shard, (shards.get(shard) ?? 0) + sample.value);
  }
  return shards;
}
