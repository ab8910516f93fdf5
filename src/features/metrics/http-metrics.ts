import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import type { AppEnv } from "../../http/hono-env";
import type { LabelsOf } from "./catalog";

const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

type HttpLabels = LabelsOf<"tokens_http_requests_total">;

/**
 * Counts every request by method, route template and status class, observes its duration, then
 * plans a flush of the isolate's metrics with `waitUntil` (after the response, off the critical
 * path; the requests of the next second share it, see `MetricsRecorder.flushSoon`). Goes
 * right after `requestContext`, so it sees the final status of errors rendered by `onError` too.
 *
 * @example app.use("*", httpMetrics());
 */
export function httpMetrics() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const { metrics } = c.get("services");
    const stop = metrics.startTimer("tokens_http_request_duration_seconds", { route: routeTemplate(c) });
    try {
      await next();
    } finally {
      const route = routeTemplate(c);
      metrics.increment("tokens_http_requests_total", {
        method: (KNOWN_METHODS.has(c.req.method) ? c.req.method : "other") as HttpLabels["method"],
        route,
        status: statusClass(c.res.status),
      });
      stop();
      metrics.flushSoon(c.executionCtx);
    }
  });
}

/**
 * The template of the route that answers (the last matched handler), never the raw path: a path
 * can hold ids and secrets, and would make the label unbounded. Unmatched requests share one value.
 */
export function routeTemplate(c: Context): string {
  const template = routePath(c, -1);
  return template === "" || template === "*" || template === "/*" ? "unmatched" : template;
}

function statusClass(status: number): HttpLabels["status"] {
  const hundreds = Math.min(5, Math.max(1, Math.floor(status / 100)));
  return `${hundreds}xx` as HttpLabels["status"];
}
