import { defineConfig } from "vitest/config";
import { generateDevSecrets, generateRsaKeyPair } from "./scripts/dev-secrets.mjs";
import { testTls } from "./test/setup/test-tls";

// miniflare reads NODE_EXTRA_CA_CERTS once, when first imported: the test CA of the SMTP TLS tests
// must be in it before, so the plugin (which imports miniflare) is imported after creating it.
testTls();
const { cloudflareTest, readD1Migrations } = await import("@cloudflare/vitest-plugin");
const { RATE_LIMIT_POLICIES } = await import("./src/features/rate-limit/policies");

// Every rate limit is off in the test project's env: the functional tests send their requests from
// one shared (missing) CF-Connecting-IP and some move a manual clock days ahead, which a limiter
// never refunds, so real limits would make them depend on their order. Tests whose subject is a
// limit switch it on for their own requests (`createHarness({ RATE_LIMIT_LOGIN_IP: "5/60s" })`) and
// use their own client IPs (test/integration/accounts/rate-limits.test.ts, rate-limit.test.ts).
const rateLimitsOff = Object.fromEntries(
  Object.values(RATE_LIMIT_POLICIES).map((policy) => [policy.variable, "off"]),
);

// Fresh keys for every run: tests never depend on a committed secret.
const secrets = generateDevSecrets();
const previousKey = generateRsaKeyPair();

/**
 * Argon2id at 256 KiB and one pass instead of wrangler.toml's 19 MiB and two: every register and
 * login pays a hash. Only ENVIRONMENT=test accepts a cost below OWASP's minimum (src/config.ts);
 * tests whose subject is the cost use the real one (test/helpers/password-cost.ts).
 * `TEST_PASSWORD_COST=production npx vitest run` runs everything at wrangler.toml's cost (slower).
 */
const testPasswordCost =
  process.env.TEST_PASSWORD_COST === "production"
    ? {}
    : { PASSWORD_HASH_MEMORY_KIB: "256", PASSWORD_HASH_ITERATIONS: "1" };

/**
 * Test files that need storage of their own: they assert on whole tables or on metric totals from a
 * first scrape. Every other workerd file shares one D1 and one set of Durable Objects per run
 * (`isolate: false`), which saves a workerd start per file (the suite ran in 2.3x the time with one
 * per file) and costs nothing to tests that use unique values, as the PostgreSQL contract suites
 * already must.
 */
const NEEDS_FRESH_STORAGE = [
  "test/integration/metrics.test.ts",
  "test/integration/cleanup-registry.test.ts",
  // "The last active root" is a rule about the whole users table.
  "test/integration/users/last-root.test.ts",
  // The audit hash chain links every row of the table: sealing and checking it reads all of them.
  "test/integration/audit/audit-api.test.ts",
  "test/contract/audit-chain.test.ts",
  // The dummy hash follows the parameters of every stored password hash: the whole users table.
  "test/integration/accounts/dummy-hash.test.ts",
  // Reads the webhook delivery log, which lists every file's deliveries (newest first, by status).
  "test/integration/webhooks/invite-webhooks.test.ts",
];

/** A project whose tests run inside workerd with the Worker's real bindings. */
function workersProject(name: string, files: { include: string[]; exclude?: string[] }, isolate: boolean) {
  return {
    extends: false as const,
    plugins: [
      cloudflareTest(async ({ inject }) => ({
        main: "./src/index.ts",
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            ...secrets,
            ...rateLimitsOff,
            // The per-isolate credential cache is off: tests edit the database directly.
            AUTH_CACHE_SECONDS: "0",
            ...testPasswordCost,
            ENVIRONMENT: "test",
            LOG_LEVEL: "warn",
            JWT_PREVIOUS_PUBLIC_KEYS: previousKey.publicKey,
            TEST_PREVIOUS_PRIVATE_KEY: previousKey.privateKey,
            TEST_MIGRATIONS: await readD1Migrations("./migrations/d1"),
          },
          hyperdrives: { HYPERDRIVE: inject("postgresUrl") },
        },
      })),
    ],
    test: {
      name,
      ...files,
      isolate,
      setupFiles: ["./test/setup/apply-migrations.ts"],
      globalSetup: ["./test/setup/global.ts", "./test/setup/email.ts"],
      // Generous because the projects share two cores (and Argon2id is slow at
      // TEST_PASSWORD_COST=production); no test asserts speed (benchmarks live in bench/).
      testTimeout: 30_000,
    },
  };
}

export default defineConfig({
  test: {
    projects: [
      workersProject(
        "workers",
        {
          include: ["test/unit/**/*.test.ts", "test/integration/**/*.test.ts", "test/contract/**/*.test.ts"],
          exclude: NEEDS_FRESH_STORAGE,
        },
        false,
      ),
      workersProject("workers-isolated", { include: NEEDS_FRESH_STORAGE }, true),
      {
        // Node-side operations checks: promtool on the alert rules and on a real /metrics scrape.
        extends: false,
        test: {
          name: "ops",
          environment: "node",
          include: ["test/ops/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: false,
        test: {
          name: "e2e",
          environment: "node",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["./test/setup/dev-server.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
