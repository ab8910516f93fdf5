import { buildApp } from "./app";
import { CLEANUP_STEPS } from "./jobs/cleanup/registry";
import { createQueueHandler } from "./jobs/queue";
import { createScheduledHandler } from "./jobs/scheduled";
import { defaultPlatformDeps } from "./platform/deps";

const app = buildApp();

/** The Worker: HTTP through Hono, Queue consumers by queue name, and the cron cleanup. */
export default {
  fetch: app.fetch,
  queue: createQueueHandler(defaultPlatformDeps),
  scheduled: createScheduledHandler(CLEANUP_STEPS),
} satisfies ExportedHandler<Env>;

export { InviteQuota } from "./durable-objects/invite-quota";
export { MetricsShard } from "./durable-objects/metrics-shard";
export { RateLimiter } from "./durable-objects/rate-limiter";
