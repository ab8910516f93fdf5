import { AppError } from "../../platform/errors";
import type { Principal } from "../authorization/principal";
import { roleAtLeast } from "../authorization/principal";
import type { AgentRepository } from "./agent-repository";
import type { TenantRepository, TenantRole } from "./repository";

/** A tenant as one caller may act in it: its id and the caller's role there. */
export interface TenantAccess {
  tenantId: string;
  role: TenantRole;
}

/** What `TenantAccessResolver` reads. */
export interface TenantAccessDeps {
  tenants: Pick<TenantRepository, "findBySlug">;
  agents: Pick<AgentRepository, "find">;
}

/**
 * Which tenant a `/tenants/{tenant_slug}/…` request is about and the caller's role in it. A tenant
 * access token acts only in its own tenant, with the agent's current role; global admin and root
 * act as the tenant's admin in every tenant (seed 001: "admin … gerencia"); anyone else with their
 * role assignment there. A tenant the caller cannot act in is 404, the same as one that does not
 * exist, so tenants cannot be discovered through these routes.
 */
export class TenantAccessResolver {
  constructor(private readonly deps: TenantAccessDeps) {}

  async resolve(principal: Principal, slug: string): Promise<TenantAccess> {
    if (principal.kind === "tenant") {
      if (principal.tenantSlug !== slug || !principal.tenantId || !principal.tenantRole) throw notFound();
      return { tenantId: principal.tenantId, role: principal.tenantRole };
    }
    const tenant = await this.deps.tenants.findBySlug(slug);
    if (!tenant) throw notFound();
    if (roleAtLeast(principal.role, "admin")) return { tenantId: tenant.id, role: "admin" };
    const agent = await this.deps.agents.find(tenant.id, principal.userId);
    if (!agent) throw notFound();
    return { tenantId: tenant.id, role: agent.role };
  }
}

function notFound(): AppError {
  return new AppError("NOT_FOUND", "No tenant with this slug");
}
