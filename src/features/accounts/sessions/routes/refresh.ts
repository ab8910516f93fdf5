import { createRoute, z } from "@hono/zod-openapi";
import {
  type App,
  JSON_BODY_PROBLEMS,
  type JsonResponseOf,
  problemResponses,
} from "../../../../http/openapi";
import { rateLimit } from "../../../rate-limit/middleware";
import { JwtSchema, TokenPairSchema } from "../../schemas";

const RefreshBody = z.object({ refreshToken: JwtSchema }).openapi("RefreshRequest");

export const refreshRoute = createRoute({
  method: "post",
  path: "/auth/refresh",
  operationId: "refreshTokens",
  tags: ["Auth"],
  summary: "Exchange a refresh token for a new pair (rotation)",
  security: [],
  description:
    "The refresh token is single use. Presented again within the grace window (`REFRESH_REUSE_GRACE_SECONDS`), it returns the child already issued for it, while that child is unused; after the window the whole session (token family) is revoked and the answer is 401.",
  middleware: [rateLimit("refresh_ip")] as const,
  request: { body: { required: true, content: { "application/json": { schema: RefreshBody } } } },
  responses: {
    200: { description: "A new token pair", content: { "application/json": { schema: TokenPairSchema } } },
    ...problemResponses(...JSON_BODY_PROBLEMS, 401, 429),
  },
});

export type RefreshResponse = JsonResponseOf<typeof refreshRoute>;

export function registerRefresh(app: App): void {
  app.openapi(refreshRoute, async (c) => {
    const { refreshToken } = c.req.valid("json");
    const tokens = await c.get("services").accounts.sessions.refresh(refreshToken);
    c.header("cache-control", "no-store");
    return c.json(tokens, 200);
  });
}
