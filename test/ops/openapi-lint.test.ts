import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "wrangler";
import { generateDevSecrets } from "../../scripts/dev-secrets.mjs";

interface LintProblem {
  ruleId: string;
  severity: "error" | "warn";
  message: string;
  location: Array<{ pointer: string }>;
}

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: LintProblem[];
}

/**
 * Warnings the document keeps on purpose, by rule and JSON pointer. These three operations take no
 * input, no credential and no rate limit, so no 4xx can come from them and none is documented.
 * Any other warning fails the test: a new route is held to the same rules as the rest.
 */
const ACCEPTED_WARNINGS = [
  "operation-4xx-response #/paths/~1healthz/get/responses",
  "operation-4xx-response #/paths/~1readyz/get/responses",
  "operation-4xx-response #/paths/~1.well-known~1jwks.json/get/responses",
];

/** `redocly lint` with the repository's redocly.yaml, on the same Node that runs the suite. */
function redoclyLint(file: string): { status: number | null; report: LintReport; stderr: string } {
  const result = spawnSync(
    process.execPath,
    ["node_modules/@redocly/cli/bin/cli.js", "lint", file, "--config", "redocly.yaml", "--format=json"],
    {
      encoding: "utf8",
      // The CLI would otherwise try to send usage data and look for updates: no network in tests.
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
    },
  );
  if (result.error) throw result.error;
  return { status: result.status, report: JSON.parse(result.stdout) as LintReport, stderr: result.stderr };
}

function describeProblem(problem: LintProblem): string {
  return `${problem.ruleId} ${problem.location[0]?.pointer ?? "(no location)"}`;
}

/**
 * The document comes from the real Worker (wrangler's test harness runs wrangler.toml in workerd),
 * so what is linted is exactly what GET /openapi.json serves, routes added later included.
 */
describe("redocly lint on the served /openapi.json", () => {
  let server: TestHarness;
  let dir: string;
  let lint: ReturnType<typeof redoclyLint>;

  beforeAll(async () => {
    process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
    process.env.WRANGLER_SEND_METRICS = "false";
    server = createTestHarness({
      workers: [
        { configPath: "./wrangler.toml", secrets: generateDevSecrets(), vars: { LOG_LEVEL: "error" } },
      ],
    });
    await server.listen();
    const response = await server.fetch("/openapi.json");
    expect(response.status).toBe(200);
    dir = mkdtempSync(join(tmpdir(), "edge-auth-openapi-"));
    const file = join(dir, "openapi.json");
    writeFileSync(file, await response.text());
    lint = redoclyLint(file);
  });

  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("has no errors under the recommended rules", () => {
    const errors = lint.report.problems.filter((problem) => problem.severity === "error");
    expect(errors.map(describeProblem), lint.stderr).toEqual([]);
    expect(lint.report.totals.errors).toBe(0);
    expect(lint.status).toBe(0);
  });

  it("has no warnings but the accepted ones", () => {
    const unexpected = lint.report.problems
      .filter((problem) => problem.severity === "warn")
      .map(describeProblem)
      .filter((warning) => !ACCEPTED_WARNINGS.includes(warning));
    expect(unexpected).toEqual([]);
  });
});
