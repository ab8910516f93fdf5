import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "wrangler";
import { generateDevSecrets } from "../../scripts/dev-secrets.mjs";
import { METRICS } from "../../src/features/metrics/catalog";

// promtool comes from the Debian `prometheus` package (see docs/operating.md).
function promtool(args: string[], input?: string) {
  const result = spawnSync("promtool", args, { encoding: "utf8", input });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("alert rules", () => {
  it("name only metrics of the catalog", () => {
    const rules = readFileSync("prometheus/tokens_alerts.yml", "utf8");
    const named = new Set(
      [...rules.matchAll(/tokens_[a-z_]+\b(?!\.)/g)].map(([name]) =>
        name.replace(/_(bucket|sum|count)$/, ""),
      ),
    );
    expect(named.size).toBeGreaterThan(8);
    for (const name of named) expect(Object.keys(METRICS), name).toContain(name);
  });

  it("promtool check rules accepts prometheus/tokens_alerts.yml", () => {
    const { status, output } = promtool(["check", "rules", "prometheus/tokens_alerts.yml"]);
    expect(status, output).toBe(0);
    expect(output).toContain("SUCCESS");
  });

  it("promtool test rules passes prometheus/tokens_alerts.test.yml (every alert firing and not)", () => {
    const { status, output } = promtool(["test", "rules", "prometheus/tokens_alerts.test.yml"]);
    expect(status, output).toBe(0);
    expect(output).toContain("SUCCESS");
  });
});

describe("Grafana dashboard", () => {
  const dashboard = JSON.parse(readFileSync("prometheus/grafana-dashboard.json", "utf8")) as {
    panels: { title: string; targets?: { expr: string }[] }[];
  };
  const expressions = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));

  it("queries only metrics of the catalog", () => {
    expect(expressions.length).toBeGreaterThan(10);
    const known = new Set(Object.keys(METRICS));
    for (const expr of expressions) {
      for (const [name] of expr.matchAll(/tokens_[a-z_]+/g)) {
        expect(known.has(name.replace(/_(bucket|sum|count)$/, "")), `${name} in ${expr}`).toBe(true);
      }
    }
  });

  it("every panel query is valid PromQL (promtool parses them as recording rules)", () => {
    const dir = mkdtempSync(join(tmpdir(), "edge-auth-dashboard-"));
    try {
      const rules = expressions.map(
        (expr, i) =>
          `      - record: dashboard:panel_${i}\n        expr: ${JSON.stringify(expr.replaceAll("$__rate_interval", "5m").replaceAll("$job", "edge-auth"))}`,
      );
      const file = join(dir, "dashboard-rules.yml");
      writeFileSync(file, `groups:\n  - name: dashboard\n    rules:\n${rules.join("\n")}\n`);
      const { status, output } = promtool(["check", "rules", file]);
      expect(status, output).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The scrape comes from the real Worker (wrangler's test harness runs wrangler.toml in workerd,
 * with real Durable Objects), after requests that make counters and histograms move, so promtool
 * lints exactly what Prometheus would receive.
 */
describe("promtool check metrics on a real /metrics scrape", () => {
  const metricsToken = randomBytes(24).toString("base64url");
  let server: TestHarness;

  beforeAll(async () => {
    process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
    process.env.WRANGLER_SEND_METRICS = "false";
    server = createTestHarness({
      workers: [
        {
          configPath: "./wrangler.toml",
          secrets: { ...generateDevSecrets(), METRICS_TOKEN: metricsToken },
          vars: { LOG_LEVEL: "error" },
        },
      ],
    });
    await server.listen();
  });

  afterAll(async () => {
    await server?.close();
  });

  it("has no findings", async () => {
    for (const path of [
      "/healthz",
      "/healthz",
      "/.well-known/jwks.json",
      "/no/such/route",
      "/openapi.json",
    ]) {
      await (await server.fetch(path)).arrayBuffer();
    }
    const denied = await server.fetch("/metrics");
    expect(denied.status).toBe(401);
    await denied.arrayBuffer();

    const response = await server.fetch("/metrics", { headers: { authorization: `Bearer ${metricsToken}` } });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(
      /tokens_http_requests_total\{method="GET",route="\/healthz",status="2xx",shard="\d"\} [1-9]/,
    );
    expect(text).toContain('tokens_http_request_duration_seconds_bucket{route="/healthz",shard="');

    const { status, output } = promtool(["check", "metrics"], text);
    expect(output).toBe("");
    expect(status).toBe(0);
  });
});
