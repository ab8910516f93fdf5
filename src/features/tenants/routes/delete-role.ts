import { createRoute } from "@hono/zod-openapi";
import { type App, problemResponses } from "../../../http/openapi";
import { authenticate, authorize } from "../../authorization/middleware";
import { securityFor } from "../../authorization/security";
import { AgentParams } from "../schemas";

export const deleteTenantRoleRoute = createRoute({
  method: "delete",
  path: "/tenants/{tenant_slug}/roles/{agent_id}",
  operationId: "deleteTenantRole",
  tags: ["Tenant roles"],
  summary: "Remove an agent's role",
  description:
    "The user stops being an agent of the tenant: they cannot log in to it any more and their tenant sessions end at once (in the same transaction). 404 when they have no role here; 403 for an agent above the caller; 409 for the last admin.",
  security: securityFor("tenant-roles:write"),
  middleware: [authenticate(), authorize("tenant-roles:write")] as const,
  request: { params: AgentParams },
  responses: {
    204: { description: "Removed" },
    ...problemResponses(400, 401, 403, 404, 409, 429),
  },
});

export function registerDeleteTenantRole(app: App): void {
  app.openapi(deleteTenantRoleRoute, async (c) => {
    const { tenant_slug, agent_id } = c.req.valid("param");
    await c.get("services").tenants.roles.remove(c.var.principal, tenant_slug, agent_id);
    return c.body(null, 204);
  });
}
