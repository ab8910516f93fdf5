import { buildApp } from "./app";

const app = buildApp();

/** The Worker: HTTP through Hono; Queue consumers and the cron trigger are added by their features. */
export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;

export { InviteQuota } from "./durable-objects/invite-quota";
export { MetricsShard } from "./durable-objects/metrics-shard";
export { RateLimiter } from "./durable-objects/rate-limiter";
