import { buildApp } from "./app";
import { createQueueHandler } from "./jobs/queue";
import { defaultPlatformDeps } from "./services";

const app = buildApp();

/** The Worker: HTTP through Hono, Queue consumers by queue name; the cron trigger is added by its feature. */
export default {
  fetch: app.fetch,
  queue: createQueueHandler(defaultPlatformDeps),
} satisfies ExportedHandler<Env>;

export { InviteQuota } from "./durable-objects/invite-quota";
export { MetricsShard } from "./durable-objects/metrics-shard";
export { RateLimiter } from "./durable-objects/rate-limiter";
