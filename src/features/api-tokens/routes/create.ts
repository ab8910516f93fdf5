import { createRoute } from "@hono/zod-openapi";
import { type App, JSON_BODY_PROBLEMS, type JsonResponseOf, problemResponses } from "../../../http/openapi";
import { authenticate, authorize } from "../../authorization/middleware";
import { securityFor } from "../../authorization/security";
import { rateLimit } from "../../rate-limit/middleware";
import { CreateApiTokenBody, CreatedApiTokenSchema } from "../schemas";

const DESCRIPTION =
  "Creates an API token for the caller and returns it this once: only its SHA-256 hash is stored. The token is `eat_` + 43 random characters (32 bytes, base64url) + a 6-character CRC-32 checksum, so secret scanners can recognise and verify it offline. Nobody creates a scope above their role (403): `admin` needs an admin or root. Only a signed-in user (access token) creates tokens; an API token cannot. Limited per user (`RATE_LIMIT_API_TOKEN_CREATE_USER`, default 20 an hour).";

/** `POST /api/api-tokens/`, and seed 003's `POST /api-tokens` with the same contract. */
function createTokenRoute(path: string, operationId: string) {
  return createRoute({
    method: "post",
    path,
    operationId,
    tags: ["API tokens"],
    summary: path === "/api-tokens" ? "Create an API token (seed 003's path)" : "Create an API token",
    description: DESCRIPTION,
    security: securityFor("api-tokens:create"),
    middleware: [authenticate(), authorize("api-tokens:create"), rateLimit("api_token_create_user")] as const,
    request: { body: { required: true, content: { "application/json": { schema: CreateApiTokenBody } } } },
    responses: {
      201: {
        description: "The token (shown only here) and its description",
        content: { "application/json": { schema: CreatedApiTokenSchema } },
      },
      ...problemResponses(...JSON_BODY_PROBLEMS, 401, 403, 429),
    },
  });
}

export const createApiTokenRoute = createTokenRoute("/api/api-tokens/", "createApiToken");
export const createApiTokenAliasRoute = createTokenRoute("/api-tokens", "createApiTokenAlias");

export type CreateApiTokenResponse = JsonResponseOf<typeof createApiTokenRoute, 201>;

export function registerCreateApiToken(app: App): void {
  for (const route of [createApiTokenRoute, createApiTokenAliasRoute]) {
    app.openapi(route, async (c) => {
      const body = c.req.valid("json");
      const created = await c.get("services").apiTokens.tokens.create(c.var.principal, {
        nome: body.nome,
        descricao: body.descricao,
        scope: body.scope,
        expiresAt: body.expires_at,
        permissions: body.permissions,
        allowedIps: body.allowed_ips,
        rateLimit: body.rate_limit,
      });
      c.header("cache-control", "no-store");
      return c.json(created, 201);
    });
  }
}
