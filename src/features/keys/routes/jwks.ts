import { createRoute, z } from "@hono/zod-openapi";
import type { App, JsonResponseOf } from "../../../http/openapi";

const JwkSchema = z
  .object({
    kty: z.literal("RSA"),
    kid: z.string(),
    use: z.literal("sig"),
    alg: z.literal("RS256"),
    n: z.string(),
    e: z.string(),
  })
  .openapi("Jwk");

export const jwksRoute = createRoute({
  method: "get",
  path: "/.well-known/jwks.json",
  operationId: "getJwks",
  tags: ["Keys"],
  summary: "Public keys that verify the service's JWTs (current and previous)",
  security: [],
  responses: {
    200: {
      description: "JSON Web Key Set",
      content: { "application/json": { schema: z.object({ keys: z.array(JwkSchema) }).openapi("Jwks") } },
    },
  },
});

export type JwksResponse = JsonResponseOf<typeof jwksRoute>;

export function registerJwks(app: App): void {
  app.openapi(jwksRoute, async (c) => {
    const jwks = await c.get("services").keys.jwks();
    // Short enough that a rotation reaches verifiers quickly, long enough to spare the Worker.
    c.header("cache-control", "public, max-age=300, stale-while-revalidate=60");
    return c.json(
      jwks as z.infer<(typeof jwksRoute.responses)[200]["content"]["application/json"]["schema"]>,
      200,
    );
  });
}
