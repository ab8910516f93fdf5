import { createRoute, z } from "@hono/zod-openapi";
import {
  type App,
  JSON_BODY_PROBLEMS,
  type JsonResponseOf,
  problemResponses,
} from "../../../../http/openapi";
import { authenticate, authorize } from "../../../authorization/middleware";
import { securityFor } from "../../../authorization/security";
import { rateLimit } from "../../../rate-limit/middleware";
import { JwtSchema } from "../../schemas";

const IntrospectBody = z
  .object({
    token: JwtSchema.openapi({ description: "An access or refresh token" }),
    token_type_hint: z
      .enum(["access_token", "refresh_token"])
      .optional()
      .openapi({ description: "Accepted for RFC 7662 compatibility; both kinds are always tried" }),
  })
  .openapi("IntrospectRequest");

const IntrospectionSchema = z
  .object({
    active: z.boolean(),
    token_type: z.enum(["access_token", "refresh_token"]).optional(),
    sub: z.string().optional(),
    username: z.string().optional(),
    iss: z.string().optional(),
    aud: z.union([z.string(), z.array(z.string())]).optional(),
    iat: z.number().int().optional(),
    exp: z.number().int().optional(),
    jti: z.string().optional().openapi({ description: "Refresh tokens only" }),
  })
  .openapi("Introspection", { example: { active: false } });

export const introspectRoute = createRoute({
  method: "post",
  path: "/auth/introspect",
  operationId: "introspectToken",
  tags: ["Auth"],
  summary: "Is this token active? (RFC 7662 response shape)",
  description:
    'For protected resources (RFC 7662 §2.1): the caller is an admin (access token) or an API token with the `auth:introspect` permission. Any token that is invalid, expired, revoked, rotated, cut off, of a disabled user or of an unknown kind is `{"active": false}` with status 200; an active one comes with standard RFC 7662 members only (no profile claims).',
  security: securityFor("auth:introspect"),
  middleware: [authenticate(), authorize("auth:introspect"), rateLimit("introspect_ip")] as const,
  request: { body: { required: true, content: { "application/json": { schema: IntrospectBody } } } },
  responses: {
    200: {
      description: "Introspection result",
      content: { "application/json": { schema: IntrospectionSchema } },
    },
    ...problemResponses(...JSON_BODY_PROBLEMS, 401, 403, 429),
  },
});

export type IntrospectResponse = JsonResponseOf<typeof introspectRoute>;

export function registerIntrospect(app: App): void {
  app.openapi(introspectRoute, async (c) => {
    const result = await c.get("services").accounts.introspection.introspect(c.req.valid("json").token);
    c.header("cache-control", "no-store");
    return c.json(result, 200);
  });
}
