// The Worker the api-tokens suite (bench/api-tokens.mjs) runs under `wrangler dev` (never deployed:
// wrangler.toml's `main` stays src/index.ts): the real app, plus one bench-only route that is
// /healthz behind the real `authenticate()` and `authorize()`, so its ratio to /healthz is what
// checking a credential costs, whichever credential it is.
import { buildApp } from "../src/app";
import { authenticate, authorize } from "../src/features/authorization/middleware";

const app = buildApp();
app.get("/bench/authenticated", authenticate(), authorize("profile:read"), (c) =>
  c.json({ status: "ok", userId: c.var.principal.userId }),
);

export default { fetch: app.fetch } satisfies ExportedHandler<Env>;

export { InviteQuota } from "../src/durable-objects/invite-quota";
export { MetricsShard } from "../src/durable-objects/metrics-shard";
export { RateLimiter } from "../src/durable-objects/rate-limiter";
