import { createRoute } from "@hono/zod-openapi";
import { type App, JSON_BODY_PROBLEMS, type JsonResponseOf, problemResponses } from "../../../http/openapi";
import { authenticate, authorize } from "../../authorization/middleware";
import { securityFor } from "../../authorization/security";
import { AgentParams, RoleAssignmentBody, RoleAssignmentSchema } from "../schemas";
import { agentView } from "../views";

export const putTenantRoleRoute = createRoute({
  method: "put",
  path: "/tenants/{tenant_slug}/roles/{agent_id}",
  operationId: "putTenantRole",
  tags: ["Tenant roles"],
  summary: "Create or change an agent's role",
  description:
    "The agent is a user id (404 when there is no such user); the user becomes an agent of the tenant, or their role changes. Needs the tenant role gestor or above; nobody grants a role above their own nor changes an agent above them (403); the last admin cannot be demoted (409). Concurrent calls leave one row. The agent's tenant tokens carry the new role from their next request.",
  security: securityFor("tenant-roles:write"),
  middleware: [authenticate(), authorize("tenant-roles:write")] as const,
  request: {
    params: AgentParams,
    body: { required: true, content: { "application/json": { schema: RoleAssignmentBody } } },
  },
  responses: {
    200: { description: "The assignment", content: { "application/json": { schema: RoleAssignmentSchema } } },
    ...problemResponses(...JSON_BODY_PROBLEMS, 401, 403, 404, 409, 429),
  },
});

export type PutTenantRoleResponse = JsonResponseOf<typeof putTenantRoleRoute>;

export function registerPutTenantRole(app: App): void {
  app.openapi(putTenantRoleRoute, async (c) => {
    const { tenant_slug, agent_id } = c.req.valid("param");
    const agent = await c
      .get("services")
      .tenants.roles.assign(c.var.principal, tenant_slug, agent_id, c.req.valid("json").role);
    return c.json(agentView(agent), 200);
  });
}
