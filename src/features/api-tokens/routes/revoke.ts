import { createRoute, z } from "@hono/zod-openapi";
import { type App, problemResponses } from "../../../http/openapi";
import { authenticate, authorize } from "../../authorization/middleware";
import { securityFor } from "../../authorization/security";

const TokenIdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(40)
    .openapi({ param: { name: "id", in: "path" }, example: "tok_06h0j4mzd049b7r6qr1w6tgk9w" }),
});

export const revokeApiTokenRoute = createRoute({
  method: "delete",
  path: "/api/api-tokens/{id}/",
  operationId: "revokeApiToken",
  tags: ["API tokens"],
  summary: "Revoke an API token",
  description:
    "Revokes one of the caller's tokens, or anyone's for admin and root; someone else's token is 404 to everyone else. It stops working at once on this isolate and within `AUTH_CACHE_SECONDS` everywhere. Revoking a revoked token again is 204 and changes nothing. Only a signed-in user (access token) revokes tokens; an API token cannot.",
  security: securityFor("api-tokens:revoke"),
  middleware: [authenticate(), authorize("api-tokens:revoke")] as const,
  request: { params: TokenIdParam },
  responses: {
    204: { description: "Revoked" },
    ...problemResponses(400, 401, 403, 404, 429),
  },
});

export function registerRevokeApiToken(app: App): void {
  app.openapi(revokeApiTokenRoute, async (c) => {
    await c.get("services").apiTokens.tokens.revoke(c.var.principal, c.req.valid("param").id);
    return c.body(null, 204);
  });
}
