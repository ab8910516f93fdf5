import { UniqueViolation } from "../../db/errors";
import { AppError } from "../../platform/errors";
import type { Shared } from "../../shared";
import type { Principal } from "../authorization/principal";
import type { AgentRepository } from "./agent-repository";
import type { NewTenant, TenantChanges, TenantPage, TenantRecord, TenantRepository } from "./repository";
import type { TenantSessionRepository } from "./session-repository";

/** What `TenantAdminService` is built from. */
export type TenantAdminDeps = Pick<Shared, "audit" | "clock" | "credentials"> & {
  tenants: TenantRepository;
  sessions: Pick<TenantSessionRepository, "endForTenantStatement">;
  agents: Pick<AgentRepository, "countByTenant">;
};

/**
 * `/api/tenants`: global admins and root create, list, read and change tenants (the route's
 * permission decides who). Disabling a tenant ends its sessions in the same unit as the change;
 * every write is audited with the tenant.
 */
export class TenantAdminService {
  constructor(private readonly deps: TenantAdminDeps) {}

  /** A new tenant; 409 when the slug is taken. */
  async create(actor: Principal, tenant: NewTenant): Promise<TenantRecord> {
    let created: TenantRecord;
    try {
      created = await this.deps.tenants.create(tenant);
    } catch (error) {
      if (error instanceof UniqueViolation) throw new AppError("CONFLICT", "A tenant with this slug exists");
      throw error;
    }
    await this.audit("tenant.create", actor, created, { slug: created.slug });
    return created;
  }

  /** How many agents each of these tenants has (the console's list; 0 when absent). */
  agentCounts(tenantIds: readonly string[]): Promise<Map<string, number>> {
    return this.deps.agents.countByTenant(tenantIds);
  }

  list(options: { cursor?: string; limit: number }): Promise<TenantPage> {
    return this.deps.tenants.list(options);
  }

  async get(slug: string): Promise<TenantRecord> {
    const tenant = await this.deps.tenants.findBySlug(slug);
    if (!tenant) throw new AppError("NOT_FOUND", "No tenant with this slug");
    return tenant;
  }

  /** Changes settings; disabling ends every session of the tenant. */
  async update(actor: Principal, slug: string, changes: TenantChanges): Promise<TenantRecord> {
    const { tenants, sessions, clock } = this.deps;
    const current = await this.get(slug);
    const endSessions =
      changes.status === "disabled"
        ? [sessions.endForTenantStatement(current.id, "tenant_disabled", clock.now())]
        : [];
    const updated = await tenants.update(current.id, changes, endSessions);
    this.deps.credentials.forgetTenant(current.id);
    if (!updated) throw new AppError("NOT_FOUND", "No tenant with this slug");
    await this.audit("tenant.update", actor, updated, { changes });
    return updated;
  }

  private audit(
    event: string,
    actor: Principal,
    tenant: TenantRecord,
    metadata: Record<string, unknown>,
  ): Promise<void> {
    return this.deps.audit.record({
      event,
      result: "success",
      actorId: actor.userId,
      targetType: "tenant",
      targetId: tenant.id,
      tenantId: tenant.id,
      metadata,
    });
  }
}
