import { TENANT_ROLES, type TenantRole } from "./repository";

/** True when `role` is `minimum` or above it in a tenant (admin > gestor > usuario). */
export function tenantRoleAtLeast(role: TenantRole, minimum: TenantRole): boolean {
  return TENANT_ROLES.indexOf(role) <= TENANT_ROLES.indexOf(minimum);
}
