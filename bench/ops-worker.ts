// The Worker the ops suite (bench/ops.mjs) runs under `wrangler dev` (never deployed: wrangler.toml's
// `main` stays src/index.ts). Three routes that differ only in one middleware, so their ratio to
// /healthz is that middleware's cost, and a cron cleanup over one bench table for the throughput
// measurement.
import { sql } from "drizzle-orm";
import { loadConfig } from "../src/config";
import { createD1Database } from "../src/db/d1";
import { httpMetrics } from "../src/features/metrics/http-metrics";
import { rateLimit } from "../src/features/rate-limit/middleware";
import { notFound, onError } from "../src/http/error-handler";
import { jsonBody } from "../src/http/json-body";
import { createApp } from "../src/http/openapi";
import { requestContext } from "../src/http/request-context";
import { deleteOlderThan } from "../src/jobs/cleanup/steps";
import { createScheduledHandler } from "../src/jobs/scheduled";
import { defaultPlatformDeps } from "../src/platform/deps";

const app = createApp();
app.onError(onError);
app.notFound(notFound);
app.use("*", requestContext(defaultPlatformDeps));
app.use(
  "*",
  jsonBody((env) => loadConfig(env).maxBodyBytes),
);

const ok = { status: "ok" } as const;
app.get("/healthz", (c) => c.json(ok));
app.get("/metered", httpMetrics(), (c) => c.json(ok));
app.get("/limited", rateLimit("register_ip"), (c) => c.json(ok));
app.get("/rows", async (c) => {
  const row = await createD1Database(c.env.DB).first<{ n: number }>(
    sql`SELECT count(*) AS n FROM bench_expired`,
  );
  return c.json({ rows: row?.n ?? 0 });
});

export default {
  fetch: app.fetch,
  scheduled: createScheduledHandler([
    deleteOlderThan({ name: "bench_expired", table: "bench_expired", column: "expires_at" }),
  ]),
} satisfies ExportedHandler<Env>;

export { InviteQuota } from "../src/durable-objects/invite-quota";
export { MetricsShard } from "../src/durable-objects/metrics-shard";
export { RateLimiter } from "../src/durable-objects/rate-limiter";
