import { createRoute } from "@hono/zod-openapi";
import { type App, JSON_BODY_PROBLEMS, type JsonResponseOf, problemResponses } from "../../../http/openapi";
import { authenticate, authorize } from "../../authorization/middleware";
import { securityFor } from "../../authorization/security";
import { CreateTenantBody, TenantSchema } from "../schemas";
import { tenantView } from "../views";

export const createTenantRoute = createRoute({
  method: "post",
  path: "/api/tenants",
  operationId: "createTenant",
  tags: ["Tenants"],
  summary: "Create a tenant",
  description:
    "Global admin and root. `slug`: 1..63 lowercase letters, digits or inner hyphens (a DNS label), unique (409 when taken) and fixed for life. `session_timeout_seconds` omitted or null follows the operator's `TENANT_SESSION_TIMEOUT`; `mfa_required` makes every agent prove a second factor at login (an e-mailed code for agents without 2FA).",
  security: securityFor("tenants:create"),
  middleware: [authenticate(), authorize("tenants:create")] as const,
  request: { body: { required: true, content: { "application/json": { schema: CreateTenantBody } } } },
  responses: {
    201: { description: "The tenant", content: { "application/json": { schema: TenantSchema } } },
    ...problemResponses(...JSON_BODY_PROBLEMS, 401, 403, 409, 429),
  },
});

export type CreateTenantResponse = JsonResponseOf<typeof createTenantRoute, 201>;

export function registerCreateTenant(app: App): void {
  app.openapi(createTenantRoute, async (c) => {
    const body = c.req.valid("json");
    const services = c.get("services");
    const tenant = await services.tenants.admin.create(c.var.principal, {
      slug: body.slug,
      name: body.name,
      sessionTimeoutSeconds: body.session_timeout_seconds ?? null,
      mfaRequired: body.mfa_required,
    });
    return c.json(tenantView(tenant, services.config), 201);
  });
}
