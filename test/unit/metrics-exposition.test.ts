import { describe, expect, it } from "vitest";
import { renderExposition } from "../../src/features/metrics/exposition";
import { labelBlock, seriesKey } from "../../src/features/metrics/series";
import { parseExposition, total } from "../helpers/prometheus";

const snapshot = (values: Record<string, number>) => ({ startedAt: 1_790_000_000, values });

describe("renderExposition", () => {
  it("renders stored bucket counts as cumulative buckets, with +Inf equal to the count", () => {
    const block = labelBlock("tokens_http_request_duration_seconds", { route: "/healthz" });
    const key = (part: Parameters<typeof seriesKey>[2]) =>
      seriesKey("tokens_http_request_duration_seconds", block, part);
    const text = renderExposition([
      {
        shard: 0,
        snapshot: snapshot({
          [key("le=0.01")]: 2,
          [key("le=0.1")]: 3,
          [key("le=+Inf")]: 1,
          [key("sum")]: 9.5,
          [key("count")]: 6,
        }),
      },
    ]);
    const samples = parseExposition(text);
    const bucket = (le: string) =>
      total(samples, "tokens_http_request_duration_seconds_bucket", { route: "/healthz", le, shard: "0" });
    expect([
      bucket("0.005"),
      bucket("0.01"),
      bucket("0.05"),
      bucket("0.1"),
      bucket("5"),
      bucket("+Inf"),
    ]).toEqual([0, 2, 2, 5, 5, 6]);
    expect(total(samples, "tokens_http_request_duration_seconds_sum", { route: "/healthz" })).toBe(9.5);
    expect(text).toContain('tokens_http_request_duration_seconds_count{route="/healthz",shard="0"} 6\n');
  });

  it("escapes label values so a quote, backslash or newline cannot break the format", () => {
    const route = '/a"b\\c\nd';
    const block = labelBlock("tokens_http_requests_total", { method: "GET", route, status: "2xx" });
    const text = renderExposition([
      { shard: 0, snapshot: snapshot({ [seriesKey("tokens_http_requests_total", block, "")]: 1 }) },
    ]);
    expect(text).toContain('route="/a\\"b\\\\c\\nd"');
    expect(total(parseExposition(text), "tokens_http_requests_total", { route })).toBe(1);
  });

  it("a shard that does not answer has up 0 and no series; the others are complete", () => {
    const samples = parseExposition(
      renderExposition([
        { shard: 0, snapshot: snapshot({ "tokens_invites_created_total||": 4 }) },
        { shard: 1, snapshot: undefined },
      ]),
    );
    expect(total(samples, "tokens_metrics_shard_up", { shard: "0" })).toBe(1);
    expect(total(samples, "tokens_metrics_shard_up", { shard: "1" })).toBe(0);
    expect(samples.filter((sample) => sample.labels.shard === "1").map((sample) => sample.name)).toEqual([
      "tokens_metrics_shard_up",
    ]);
    expect(total(samples, "tokens_invites_created_total")).toBe(4);
    expect(total(samples, "tokens_metrics_shard_start_time_seconds", { shard: "0" })).toBe(1_790_000_000);
  });

  it("ignores keys of metrics no longer in the catalog", () => {
    const text = renderExposition([
      { shard: 0, snapshot: snapshot({ "tokens_retired_total||": 7, garbage: 1 }) },
    ]);
    expect(text).not.toContain("tokens_retired_total");
    expect(text).not.toContain("garbage");
  });
});
