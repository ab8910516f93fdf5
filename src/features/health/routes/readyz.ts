import { createRoute, z } from "@hono/zod-openapi";
import { type App, problemResponses } from "../../../http/openapi";
import { AppError } from "../../../platform/errors";

export const readyzRoute = createRoute({
  method: "get",
  path: "/readyz",
  operationId: "readyz",
  tags: ["Health"],
  summary: "Readiness: the database answers",
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

export function registerReadyz(app: App): void {
  app.openapi(readyzRoute, async (c) => {
    const { db, config, logger } = c.get("services");
    try {
      await db.ping();
    } catch (error) {
      logger.warn("readiness check failed", { error });
      throw new AppError("DEPENDENCY_UNAVAILABLE", "The database does not answer");
    }
    return c.json({ status: "ok" as const, database: config.database }, 200);
  });
}
