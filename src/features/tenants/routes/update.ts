import { createRoute } from "@hono/zod-openapi";
import { type App, JSON_BODY_PROBLEMS, type JsonResponseOf, problemResponses } from "../../../http/openapi";
import { authenticate, authorize } from "../../authorization/middleware";
import { securityFor } from "../../authorization/security";
import { AdminSlugParams, TenantSchema, UpdateTenantBody } from "../schemas";
import { tenantView } from "../views";

export const updateTenantRoute = createRoute({
  method: "patch",
  path: "/api/tenants/{slug}",
  operationId: "updateTenant",
  tags: ["Tenants"],
  summary: "Change a tenant",
  description:
    "Global admin and root. Only the fields sent change; the slug never does. `status: disabled` refuses its agents' logins and ends every session of the tenant at once (their access tokens stop working on the next request). A new timeout applies to sessions started after the change.",
  security: securityFor("tenants:update"),
  middleware: [authenticate(), authorize("tenants:update")] as const,
  request: {
    params: AdminSlugParams,
    body: { required: true, content: { "application/json": { schema: UpdateTenantBody } } },
  },
  responses: {
    200: { description: "The tenant", content: { "application/json": { schema: TenantSchema } } },
    ...problemResponses(...JSON_BODY_PROBLEMS, 401, 403, 404, 429),
  },
});

export type UpdateTenantResponse = JsonResponseOf<typeof updateTenantRoute>;

export function registerUpdateTenant(app: App): void {
  app.openapi(updateTenantRoute, async (c) => {
    const body = c.req.valid("json");
    const services = c.get("services");
    const tenant = await services.tenants.admin.update(c.var.principal, c.req.valid("param").slug, {
      name: body.name,
      status: body.status,
      sessionTimeoutSeconds: body.session_timeout_seconds,
      mfaRequired: body.mfa_required,
    });
    return c.json(tenantView(tenant, services.config), 200);
  });
}
