import { createRoute, z } from "@hono/zod-openapi";
import { type App, problemResponses } from "../../../http/openapi";
import { parseBearer } from "../../../platform/bearer";
import { AppError } from "../../../platform/errors";
import { constantTimeEqual } from "../../../platform/secrets";
import { EXPOSITION_CONTENT_TYPE } from "../exposition";

export const metricsRoute = createRoute({
  method: "get",
  path: "/metrics",
  operationId: "getMetrics",
  tags: ["Operations"],
  summary: "Prometheus metrics (text format 0.0.4), totals across every isolate",
  description:
    "Every series carries a `shard` label: sum after `rate()`/`increase()`, e.g. " +
    "`sum by (route) (rate(tokens_http_requests_total[5m]))`. Requires `Authorization: Bearer " +
    "<METRICS_TOKEN>` when that secret is set.",
  // The empty alternative: without METRICS_TOKEN set, no credentials are needed.
  security: [{ metricsToken: [] }, {}],
  responses: {
    200: {
      description: "Prometheus text exposition",
      content: { "text/plain": { schema: z.string() } },
    },
    ...problemResponses(401),
  },
});

/** `GET /metrics`: this isolate's own counts handed over, then every shard's totals rendered. */
export function registerMetrics(app: App): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "metricsToken", {
    type: "http",
    scheme: "bearer",
    description: "The METRICS_TOKEN secret (only required when it is set)",
  });
  app.openapi(metricsRoute, async (c) => {
    const { config, metrics } = c.get("services");
    const presented = parseBearer(c.req.header("authorization")) ?? "";
    if (config.metricsToken && !(await constantTimeEqual(presented, config.metricsToken))) {
      throw new AppError("UNAUTHENTICATED", "A valid metrics bearer token is required", {
        headers: { "www-authenticate": 'Bearer realm="metrics"' },
      });
    }
    // "Content-Type" spelled as c.text spells it, so this value replaces its default.
    return c.text(await metrics.scrape(), 200, {
      "Content-Type": EXPOSITION_CONTENT_TYPE,
      "cache-control": "no-store",
    });
  });
}
