import type { App } from "../../http/openapi";
import { registerCreateTenant } from "./routes/create";
import { registerDeleteTenantRole } from "./routes/delete-role";
import { registerGetTenant } from "./routes/get";
import { registerTenantHealthz } from "./routes/healthz";
import { registerListTenants } from "./routes/list";
import { registerListTenantRoles } from "./routes/list-roles";
import { registerTenantLogin } from "./routes/login";
import { registerTenantMfaVerify } from "./routes/mfa-verify";
import { registerPutTenantRole } from "./routes/put-role";
import { registerUpdateTenant } from "./routes/update";

/** `/api/tenants` (global admins) and the tenant routes `/tenants/{tenant_slug}/…` (seed 004). */
export function registerTenantRoutes(app: App): void {
  registerCreateTenant(app);
  registerListTenants(app);
  registerGetTenant(app);
  registerUpdateTenant(app);
  registerTenantLogin(app);
  registerTenantMfaVerify(app);
  registerListTenantRoles(app);
  registerPutTenantRole(app);
  registerDeleteTenantRole(app);
  registerTenantHealthz(app);
}
