import { createRoute, z } from "@hono/zod-openapi";
import type { App, JsonResponseOf } from "../../../http/openapi";

export const healthzRoute = createRoute({
  method: "get",
  path: "/healthz",
  operationId: "healthz",
  tags: ["Health"],
  summary: "Liveness: the Worker answers",
  security: [],
  responses: {
    200: {
      description: "The Worker is up",
      content: { "application/json": { schema: z.object({ status: z.literal("ok") }) } },
    },
  },
});

export type HealthzResponse = JsonResponseOf<typeof healthzRoute>;

export function registerHealthz(app: App): void {
  app.openapi(healthzRoute, (c) => c.json({ status: "ok" as const }, 200));
}
