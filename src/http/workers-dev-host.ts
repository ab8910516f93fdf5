import { createMiddleware } from "hono/factory";
import { AppError } from "../platform/errors";
import type { AppEnv } from "./hono-env";

/**
 * In production and staging, a request that reached the Worker on a `*.workers.dev` hostname is
 * answered 404, as if no route matched: that address skips whatever the zone puts in front of the
 * service (WAF, Access, rate limiting rules, logging). wrangler.toml's [env.production] turns
 * `workers_dev` off; this keeps an environment deployed with it on from serving anything there.
 *
 * @example app.use("*", refuseWorkersDevHost());
 */
export function refuseWorkersDevHost() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const { environment } = c.get("services").config;
    const deployed = environment === "production" || environment === "staging";
    if (deployed && new URL(c.req.url).hostname.endsWith(".workers.dev")) {
      c.get("logger").warn("request on a workers.dev hostname refused; set workers_dev = false");
      throw new AppError("ROUTE_NOT_FOUND", "No route matches this method and path");
    }
    await next();
  });
}
