import { createRoute, z } from "@hono/zod-openapi";
import { type App, type JsonResponseOf, problemResponses } from "../../../http/openapi";
import { TenantSlugParams } from "../schemas";

export const tenantHealthzRoute = createRoute({
  method: "get",
  path: "/tenants/{tenant_slug}/healthz",
  operationId: "tenantHealthz",
  tags: ["Health"],
  summary: "Liveness under the tenant prefix (alias of /healthz)",
  description:
    "The same answer whatever the slug: it says nothing about whether the tenant exists. A slug longer than 80 characters is a 400, as on every tenant route.",
  security: [],
  request: { params: TenantSlugParams },
  responses: {
    200: {
      description: "The Worker is up",
      content: { "application/json": { schema: z.object({ status: z.literal("ok") }) } },
    },
    ...problemResponses(400),
  },
});

export type TenantHealthzResponse = JsonResponseOf<typeof tenantHealthzRoute>;

export function registerTenantHealthz(app: App): void {
  app.openapi(tenantHealthzRoute, (c) => c.json({ status: "ok" as const }, 200));
}
