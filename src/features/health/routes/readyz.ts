import { createRoute, z } from "@hono/zod-openapi";
import { type App, type JsonResponseOf, problemResponses } from "../../../http/openapi";

export const readyzRoute = createRoute({
  method: "get",
  path: "/readyz",
  operationId: "readyz",
  tags: ["Health"],
  summary: "Readiness: the database answers",
  security: [],
  responses: {
    200: {
      description: "Ready to serve",
      content: {
        "application/json": {
          schema: z.object({ status: z.literal("ok"), database: z.enum(["d1", "hyperdrive"]) }),
        },
      },
    },
    ...problemResponses(503),
  },
});

export type ReadyzResponse = JsonResponseOf<typeof readyzRoute>;

export function registerReadyz(app: App): void {
  app.openapi(readyzRoute, async (c) => {
    const { database } = await c.get("services").health.ready();
    return c.json({ status: "ok" as const, database }, 200);
  });
}
