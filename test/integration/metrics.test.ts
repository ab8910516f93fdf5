import {
  createExecutionContext,
  env,
  evictDurableObject,
  SELF,
  waitOnExecutionContext,
} from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { buildApp } from "../../src/app";
import { METRICS } from "../../src/features/metrics/catalog";
import { shardName } from "../../src/features/metrics/shards";
import { byShard, parseExposition, total } from "../helpers/prometheus";

const scrape = async () => {
  const response = await SELF.fetch("https://auth.test/metrics");
  expect(response.status).toBe(200);
  return parseExposition(await response.text());
};

const SEED_METRICS = {
  tokens_invites_created_total: "counter",
  tokens_invites_used_total: "counter",
  tokens_invites_revoked_total: "counter",
  tokens_validation_fail_total: "counter",
  tokens_validation_latency_seconds: "histogram",
  tokens_rate_limited_total: "counter",
  tokens_webhooks_sent_total: "counter",
  tokens_webhooks_failed_total: "counter",
  tokens_webhook_latency_seconds: "histogram",
};

describe("GET /metrics", () => {
  it("is Prometheus text 0.0.4 with HELP and TYPE for every metric, seed 000's at zero from the first scrape", async () => {
    const response = await SELF.fetch("https://auth.test/metrics");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-store");
    const text = await response.text();
    for (const [name, definition] of Object.entries(METRICS)) {
      expect(text).toContain(`# HELP ${name} `);
      expect(text).toContain(`# TYPE ${name} ${definition.type}\n`);
    }
    const samples = parseExposition(text);
    for (const [name, type] of Object.entries(SEED_METRICS)) {
      expect(text).toContain(`# TYPE ${name} ${type}\n`);
      const sampleName = type === "histogram" ? `${name}_count` : name;
      const series = samples.filter((sample) => sample.name === sampleName);
      expect(series.length, name).toBeGreaterThanOrEqual(4);
      expect(
        series.every((sample) => sample.value === 0),
        name,
      ).toBe(true);
    }
    expect(total(samples, "tokens_rate_limited_total", { route: "/auth/login", policy: "login_ip" })).toBe(0);
    expect(total(samples, "tokens_validation_fail_total", { reason: "expired" })).toBe(0);
    expect(byShard(samples, "tokens_metrics_shard_up").size).toBe(4);
    expect(total(samples, "tokens_metrics_shard_up")).toBe(4);
  });

  it("counts N known requests exactly, spread over several shards", async () => {
    const healthz = { method: "GET", route: "/healthz", status: "2xx" };
    const unmatched = { method: "GET", route: "unmatched", status: "4xx" };
    const first = await scrape();
    // An isolate coalesces what it records within METRICS_FLUSH_DELAY_MS into one write to one
    // random shard; each scrape flushes at once, so every group below is a separate write.
    const groups = 16;
    const perGroup = 3;
    let last = first;
    for (let group = 0; group < groups; group++) {
      for (let i = 0; i < perGroup; i++)
        expect((await SELF.fetch("https://auth.test/healthz")).status).toBe(200);
      expect((await SELF.fetch(`https://auth.test/no/such/tok_secret${group}`)).status).toBe(404);
      last = await scrape();
    }

    const moved = (match: Record<string, string>) =>
      total(last, "tokens_http_requests_total", match) - total(first, "tokens_http_requests_total", match);
    expect(moved(healthz)).toBe(groups * perGroup);
    expect(moved(unmatched)).toBe(groups);
    expect(moved({ route: "/metrics" })).toBe(groups);
    const durationCount = (samples: typeof first) =>
      total(samples, "tokens_http_request_duration_seconds_count", { route: "/healthz" });
    expect(durationCount(last) - durationCount(first)).toBe(groups * perGroup);

    const firstShards = byShard(first, "tokens_http_requests_total", healthz);
    const grew = [...byShard(last, "tokens_http_requests_total", healthz)].filter(
      ([shard, value]) => value > (firstShards.get(shard) ?? 0),
    );
    expect(grew.length).toBeGreaterThan(1);
  });

  it("labels by route template: no raw path, id or secret reaches a label", async () => {
    await SELF.fetch("https://auth.test/no/such/tok_leaked-secret-value");
    const text = await (await SELF.fetch("https://auth.test/metrics")).text();
    expect(text).not.toContain("leaked-secret-value");
    expect(text).not.toContain("/no/such");
  });

  it("keeps totals when a shard's object restarts (eviction), with the same start time", async () => {
    const before = await scrape();
    const started = byShard(before, "tokens_metrics_shard_start_time_seconds");
    const counted = total(before, "tokens_http_requests_total");
    for (let shard = 0; shard < 4; shard++) {
      const stub = env.METRICS_SHARD.getByName(shardName(shard));
      await stub.snapshot();
      await evictDurableObject(stub);
    }
    const after = await scrape();
    expect(byShard(after, "tokens_metrics_shard_start_time_seconds")).toEqual(started);
    // The previous scrape itself was counted since.
    expect(total(after, "tokens_http_requests_total")).toBeGreaterThanOrEqual(counted + 1);
  });

  it("applies a retried batch once (the first attempt landed, its answer was lost)", async () => {
    const stub = env.METRICS_SHARD.getByName(shardName(0));
    const key = "tokens_invites_created_total||";
    const before = (await stub.snapshot()).values[key] ?? 0;
    await stub.add("batch-retried", { [key]: 3 });
    await stub.add("batch-retried", { [key]: 3 });
    await stub.add("batch-other", { [key]: 2 });
    expect((await stub.snapshot()).values[key]).toBe(before + 5);
  });
});

describe("GET /metrics with METRICS_TOKEN set", () => {
  const app = buildApp();
  const withToken = { ...env, METRICS_TOKEN: "mtk_correct-horse-battery", METRICS_FLUSH_DELAY_MS: "0" };
  const call = async (headers: Record<string, string>) => {
    const ctx = createExecutionContext();
    const response = await app.fetch(new Request("https://auth.test/metrics", { headers }), withToken, ctx);
    await waitOnExecutionContext(ctx);
    return response;
  };

  it("401 problem+json with WWW-Authenticate without a token or with a wrong one", async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: "Bearer wrong" },
      { authorization: "Bearer mtk_correct-horse-batter" },
      { authorization: "Basic bXRrX2NvcnJlY3QtaG9yc2UtYmF0dGVyeQ==" },
      { authorization: "mtk_correct-horse-battery" },
    ];
    for (const headers of attempts) {
      const response = await call(headers);
      expect(response.status).toBe(401);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(response.headers.get("www-authenticate")).toBe('Bearer realm="metrics"');
      const body = await response.text();
      expect(body).not.toContain("tokens_");
      expect(body).not.toContain("mtk_correct");
    }
  });

  it("200 with the right bearer token", async () => {
    const response = await call({ authorization: "Bearer mtk_correct-horse-battery" });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("# TYPE tokens_invites_created_total counter");
  });
});
