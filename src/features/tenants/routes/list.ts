import { createRoute } from "@hono/zod-openapi";
import { type App, type JsonResponseOf, problemResponses } from "../../../http/openapi";
import { authenticate, authorize } from "../../authorization/middleware";
import { securityFor } from "../../authorization/security";
import { ListTenantsQuery, TenantPageSchema } from "../schemas";
import { tenantView } from "../views";

export const listTenantsRoute = createRoute({
  method: "get",
  path: "/api/tenants",
  operationId: "listTenants",
  tags: ["Tenants"],
  summary: "List tenants",
  description: "Global admin and root. By slug; `next_cursor` fetches the next page.",
  security: securityFor("tenants:read"),
  middleware: [authenticate(), authorize("tenants:read")] as const,
  request: { query: ListTenantsQuery },
  responses: {
    200: {
      description: "One page of tenants",
      content: { "application/json": { schema: TenantPageSchema } },
    },
    ...problemResponses(400, 401, 403, 429),
  },
});

export type ListTenantsResponse = JsonResponseOf<typeof listTenantsRoute>;

export function registerListTenants(app: App): void {
  app.openapi(listTenantsRoute, async (c) => {
    const services = c.get("services");
    const page = await services.tenants.admin.list(c.req.valid("query"));
    return c.json(
      { items: page.tenants.map((t) => tenantView(t, services.config)), next_cursor: page.nextCursor },
      200,
    );
  });
}
