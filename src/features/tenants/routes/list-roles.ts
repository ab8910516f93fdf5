import { createRoute, z } from "@hono/zod-openapi";
import { type App, type JsonResponseOf, problemResponses } from "../../../http/openapi";
import { authenticate, authorize } from "../../authorization/middleware";
import { securityFor } from "../../authorization/security";
import { RoleAssignmentSchema, TenantSlugParams } from "../schemas";
import { agentView } from "../views";

export const listTenantRolesRoute = createRoute({
  method: "get",
  path: "/tenants/{tenant_slug}/roles",
  operationId: "listTenantRoles",
  tags: ["Tenant roles"],
  summary: "List the tenant's agents and their roles",
  description:
    "A global access token, an API token (read scope) or this tenant's access token. Needs the tenant role gestor or above (global admin and root act as admin in every tenant); a tenant the caller is not an agent of, or another tenant than the token's, is 404.",
  security: securityFor("tenant-roles:read"),
  middleware: [authenticate(), authorize("tenant-roles:read")] as const,
  request: { params: TenantSlugParams },
  responses: {
    200: {
      description: "Every role assignment of the tenant, by e-mail",
      content: { "application/json": { schema: z.array(RoleAssignmentSchema) } },
    },
    ...problemResponses(400, 401, 403, 404, 429),
  },
});

export type ListTenantRolesResponse = JsonResponseOf<typeof listTenantRolesRoute>;

export function registerListTenantRoles(app: App): void {
  app.openapi(listTenantRolesRoute, async (c) => {
    const agents = await c
      .get("services")
      .tenants.roles.list(c.var.principal, c.req.valid("param").tenant_slug);
    c.header("cache-control", "no-store");
    return c.json(agents.map(agentView), 200);
  });
}
