import { createRoute } from "@hono/zod-openapi";
import { type App, type JsonResponseOf, problemResponses } from "../../../http/openapi";
import { authenticate, authorize } from "../../authorization/middleware";
import { securityFor } from "../../authorization/security";
import { ApiTokenPageSchema, ListApiTokensQuery } from "../schemas";

/** `GET /api/api-tokens/`, and seed 003's `GET /api-tokens` with the same contract. */
function listTokensRoute(path: string, operationId: string) {
  return createRoute({
    method: "get",
    path,
    operationId,
    tags: ["API tokens"],
    summary: path === "/api-tokens" ? "List API tokens (seed 003's path)" : "List API tokens",
    description:
      "The caller's tokens, newest first, revoked and expired ones included (see `status`); never a token or its hash. Admin and root may pass `user_id` to list another user's (403 for others).",
    security: securityFor("api-tokens:read"),
    middleware: [authenticate(), authorize("api-tokens:read")] as const,
    request: { query: ListApiTokensQuery },
    responses: {
      200: {
        description: "One page of tokens",
        content: { "application/json": { schema: ApiTokenPageSchema } },
      },
      ...problemResponses(400, 401, 403, 429),
    },
  });
}

export const listApiTokensRoute = listTokensRoute("/api/api-tokens/", "listApiTokens");
export const listApiTokensAliasRoute = listTokensRoute("/api-tokens", "listApiTokensAlias");

export type ListApiTokensResponse = JsonResponseOf<typeof listApiTokensRoute>;

export function registerListApiTokens(app: App): void {
  for (const route of [listApiTokensRoute, listApiTokensAliasRoute]) {
    app.openapi(route, async (c) => {
      const { user_id, cursor, limit } = c.req.valid("query");
      const page = await c
        .get("services")
        .apiTokens.tokens.list(c.var.principal, { userId: user_id, cursor, limit });
      c.header("cache-control", "no-store");
      return c.json(page, 200);
    });
  }
}
