import { createRoute, z } from "@hono/zod-openapi";
import { type App, JSON_BODY_PROBLEMS, problemResponses } from "../../../../http/openapi";
import { rateLimit } from "../../../rate-limit/middleware";
import { JwtSchema } from "../../schemas";

const LogoutBody = z
  .object({
    refreshToken: JwtSchema,
    all: z.boolean().default(false).openapi({
      description:
        "Also end every other session of the user and refuse their access tokens issued until now (at this service)",
    }),
  })
  .openapi("LogoutRequest");

export const logoutRoute = createRoute({
  method: "post",
  path: "/auth/logout",
  operationId: "logout",
  tags: ["Auth"],
  summary: "Revoke the session of a refresh token (or all of the user's sessions)",
  security: [],
  description:
    "The refresh token is the credential. Logging out of a session that already ended is not an error (204). `all: true` needs a live refresh token: one already rotated, revoked or expired is 401 (a rotated one presented after the grace window is a reuse and ends its own session).",
  middleware: [rateLimit("logout_ip")] as const,
  request: { body: { required: true, content: { "application/json": { schema: LogoutBody } } } },
  responses: {
    204: { description: "Revoked" },
    ...problemResponses(...JSON_BODY_PROBLEMS, 401, 429),
  },
});

export function registerLogout(app: App): void {
  app.openapi(logoutRoute, async (c) => {
    const { refreshToken, all } = c.req.valid("json");
    await c.get("services").accounts.sessions.logout(refreshToken, all);
    return c.body(null, 204);
  });
}
