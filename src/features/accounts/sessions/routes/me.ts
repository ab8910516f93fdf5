import { createRoute } from "@hono/zod-openapi";
import { type App, problemResponses } from "../../../../http/openapi";
import { bearerToken } from "../../../../platform/bearer";
import { UserProfileSchema } from "../../schemas";

export const meRoute = createRoute({
  method: "get",
  path: "/auth/me",
  operationId: "getMe",
  tags: ["Auth"],
  summary: "The signed-in user's profile",
  security: [{ bearerAuth: [] }],
  responses: {
    200: {
      description: "The user behind the access token",
      content: { "application/json": { schema: UserProfileSchema } },
    },
    ...problemResponses(401),
  },
});

export function registerMe(app: App): void {
  app.openapi(meRoute, async (c) => {
    const { sessions, accounts } = c.get("services");
    const { user } = await sessions.authenticate(bearerToken(c.req.header("authorization")));
    c.header("cache-control", "no-store");
    return c.json(await accounts.profile(user), 200);
  });
}
