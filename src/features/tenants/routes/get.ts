import { createRoute } from "@hono/zod-openapi";
import { type App, type JsonResponseOf, problemResponses } from "../../../http/openapi";
import { authenticate, authorize } from "../../authorization/middleware";
import { securityFor } from "../../authorization/security";
import { AdminSlugParams, TenantSchema } from "../schemas";
import { tenantView } from "../views";

export const getTenantRoute = createRoute({
  method: "get",
  path: "/api/tenants/{slug}",
  operationId: "getTenant",
  tags: ["Tenants"],
  summary: "Read a tenant",
  description: "Global admin and root.",
  security: securityFor("tenants:read"),
  middleware: [authenticate(), authorize("tenants:read")] as const,
  request: { params: AdminSlugParams },
  responses: {
    200: { description: "The tenant", content: { "application/json": { schema: TenantSchema } } },
    ...problemResponses(400, 401, 403, 404, 429),
  },
});

export type GetTenantResponse = JsonResponseOf<typeof getTenantRoute>;

export function registerGetTenant(app: App): void {
  app.openapi(getTenantRoute, async (c) => {
    const services = c.get("services");
    const tenant = await services.tenants.admin.get(c.req.valid("param").slug);
    return c.json(tenantView(tenant, services.config), 200);
  });
}
