import { createRoute } from "@hono/zod-openapi";
import { type App, type JsonResponseOf, problemResponses } from "../../../../http/openapi";
import { authenticate, authorize } from "../../../authorization/middleware";
import { securityFor } from "../../../authorization/security";
import { UserProfileSchema } from "../../schemas";

export const meRoute = createRoute({
  method: "get",
  path: "/auth/me",
  operationId: "getMe",
  tags: ["Auth"],
  summary: "The signed-in user's profile",
  security: securityFor("profile:read"),
  middleware: [authenticate(), authorize("profile:read")] as const,
  responses: {
    200: {
      description: "The user behind the access token or API token",
      content: { "application/json": { schema: UserProfileSchema } },
    },
    ...problemResponses(401, 403, 429),
  },
});

export type MeResponse = JsonResponseOf<typeof meRoute>;

export function registerMe(app: App): void {
  app.openapi(meRoute, async (c) => {
    const profile = await c.get("services").accounts.profiles.forPrincipal(c.var.principal);
    c.header("cache-control", "no-store");
    return c.json(profile, 200);
  });
}
