import { buildApp } from "./app";
import { CLEANUP_STEPS } from "./jobs/cleanup/registry";
import { createScheduledHandler } from "./jobs/scheduled";

const app = buildApp();

/** The Worker: HTTP through Hono, the cron cleanup; Queue consumers are added by their features. */
export default {
  fetch: app.fetch,
  scheduled: createScheduledHandler(CLEANUP_STEPS),
} satisfies ExportedHandler<Env>;

export { InviteQuota } from "./durable-objects/invite-quota";
export { MetricsShard } from "./durable-objects/metrics-shard";
export { RateLimiter } from "./durable-objects/rate-limiter";
