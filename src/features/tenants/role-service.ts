import { AppError } from "../../platform/errors";
import type { Shared } from "../../shared";
import type { Principal } from "../authorization/principal";
import type { TenantAccess, TenantAccessResolver } from "./access";
import type { Agent, AgentRepository } from "./agent-repository";
import { TENANT_ROLES, type Tenant, type TenantRepository, type TenantRole } from "./repository";
import { tenantRoleAtLeast } from "./roles";
import type { TenantSessionRepository } from "./session-repository";

/** A page of the tenants a caller manages: each with the caller's role and its number of agents. */
export interface ManagedTenantPage {
  items: Array<{ tenant: Tenant; role: TenantRole; agents: number }>;
  nextCursor: string | null;
}

/** What `TenantRoleService` is built from. */
export type TenantRoleDeps = Pick<Shared, "audit" | "clock" | "credentials"> & {
  access: TenantAccessResolver;
  agents: AgentRepository;
  tenants: Pick<TenantRepository, "membershipsOf">;
  sessions: Pick<TenantSessionRepository, "endForAgentStatement">;
};

/**
 * Role assignments of a tenant's agents (`/tenants/{tenant_slug}/roles`). Reading and assigning
 * need the tenant role gestor or above; nobody grants a role above their own, nor changes or removes
 * an agent above them; the last admin is neither demoted nor removed (409). Removing an agent ends
 * their tenant sessions in the same unit. Every change is audited with the tenant.
 */
export class TenantRoleService {
  constructor(private readonly deps: TenantRoleDeps) {}

  async list(principal: Principal, slug: string): Promise<Agent[]> {
    return (await this.roster(principal, slug)).agents;
  }

  /** The tenant's agents and the caller's own role there (what they may grant and touch). */
  async roster(principal: Principal, slug: string): Promise<{ role: TenantRole; agents: Agent[] }> {
    const access = await this.manager(principal, slug);
    return { role: access.role, agents: await this.deps.agents.list(access.tenantId) };
  }

  /**
   * One page, by slug, of the tenants where the caller is an agent whose tenant role may read the
   * roles (gestor or above, `manager`'s rule), with that role and the number of agents of each.
   * Global admin and root act in every tenant besides these: they list all with
   * `TenantAdminService.list`.
   */
  async managedTenants(
    principal: Pick<Principal, "userId">,
    options: { cursor?: string; limit: number },
  ): Promise<ManagedTenantPage> {
    const managing = TENANT_ROLES.filter((role) => tenantRoleAtLeast(role, "gestor"));
    const page = await this.deps.tenants.membershipsOf(principal.userId, managing, options);
    const counts = await this.deps.agents.countByTenant(page.items.map((item) => item.tenant.id));
    return {
      items: page.items.map((item) => ({ ...item, agents: counts.get(item.tenant.id) ?? 0 })),
      nextCursor: page.nextCursor,
    };
  }

  /** Creates or changes `agentId`'s role (a user id); 404 for no such user. */
  async assign(principal: Principal, slug: string, agentId: string, role: TenantRole): Promise<Agent> {
    const { agents, audit, clock } = this.deps;
    const access = await this.manager(principal, slug);
    if (!tenantRoleAtLeast(access.role, role)) {
      throw new AppError("FORBIDDEN", `Nobody grants a role above their own (${access.role})`);
    }
    const current = await agents.find(access.tenantId, agentId);
    this.mayTouch(access, current);
    // The caller's role bounds the write itself: a promotion after the check above is not undone.
    const result = await agents.assign(access.tenantId, agentId, role, clock.now(), access.role);
    this.deps.credentials.forgetTenantAgent(access.tenantId, agentId);
    if (result.outcome === "no_user") throw new AppError("NOT_FOUND", "No user with this id");
    if (result.outcome === "above") throw aboveYours(result.role);
    if (result.outcome === "last_admin") {
      throw new AppError("CONFLICT", "The tenant's last admin cannot be demoted; make another admin first");
    }
    await audit.userEvent("tenant.role.assign", "success", agentId, {
      actorId: principal.userId,
      tenantId: access.tenantId,
      metadata: { role, previousRole: current?.role ?? null },
    });
    return result.agent;
  }

  /** Removes `agentId`'s role and ends their sessions in the tenant; 404 when they have none. */
  async remove(principal: Principal, slug: string, agentId: string): Promise<void> {
    const { agents, sessions, audit, clock } = this.deps;
    const access = await this.manager(principal, slug);
    const current = await agents.find(access.tenantId, agentId);
    if (!current) throw new AppError("NOT_FOUND", "This user has no role in this tenant");
    this.mayTouch(access, current);
    const outcome = await agents.remove(
      access.tenantId,
      agentId,
      [sessions.endForAgentStatement(access.tenantId, agentId, "agent_removed", clock.now())],
      access.role,
    );
    this.deps.credentials.forgetTenantAgent(access.tenantId, agentId);
    if (outcome === "none") throw new AppError("NOT_FOUND", "This user has no role in this tenant");
    if (outcome === "above") throw aboveYours((await agents.find(access.tenantId, agentId))?.role ?? "admin");
    if (outcome === "last_admin") {
      throw new AppError("CONFLICT", "The tenant's last admin cannot be removed; make another admin first");
    }
    await audit.userEvent("tenant.role.remove", "success", agentId, {
      actorId: principal.userId,
      tenantId: access.tenantId,
      metadata: { previousRole: current.role },
    });
  }

  private async manager(principal: Principal, slug: string): Promise<TenantAccess> {
    const access = await this.deps.access.resolve(principal, slug);
    if (!tenantRoleAtLeast(access.role, "gestor")) {
      throw new AppError("FORBIDDEN", "Managing a tenant's roles needs the tenant role gestor or above");
    }
    return access;
  }

  private mayTouch(access: TenantAccess, current: Agent | undefined): void {
    if (current && !tenantRoleAtLeast(access.role, current.role)) throw aboveYours(current.role);
  }
}

function aboveYours(role: TenantRole): AppError {
  return new AppError("FORBIDDEN", `This agent's role (${role}) is above yours`);
}
