import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../../db";
import { TENANT_ROLES, type TenantRole } from "./repository";

/** One agent of a tenant: a user with a role assignment there (seed 004's `RoleAssignmentRead`). */
export interface Agent {
  agentId: string;
  email: string;
  role: TenantRole;
}

/**
 * What an assignment did: the assignment, or why there is none (`above`: the agent's role, as the
 * statement saw it, is above the caller's).
 */
export type AssignOutcome =
  | { outcome: "assigned"; agent: Agent }
  | { outcome: "no_user" }
  | { outcome: "last_admin" }
  | { outcome: "above"; role: TenantRole };

/** What a removal did (`above`: the agent's role, as the statement saw it, is above the caller's). */
export type RemoveOutcome = "removed" | "none" | "last_admin" | "above";

interface AgentRow {
  agent_id: string;
  email: string;
  role: TenantRole;
}

const toAgent = (row: AgentRow): Agent => ({ agentId: row.agent_id, email: row.email, role: row.role });

const COUNT_SLICE = 50;

/** The roles at or below `upTo` (admin > gestor > usuario), as an SQL list. */
const rolesUpTo = (upTo: TenantRole) =>
  sql.join(
    TENANT_ROLES.slice(TENANT_ROLES.indexOf(upTo)).map((role) => sql`${role}`),
    sql`, `,
  );

/** True while the tenant keeps another admin besides the row being changed. */
const anotherAdmin = (tenantId: string) => sql`
  (SELECT COUNT(*) FROM tenant_members a WHERE a.tenant_id = ${tenantId} AND a.role = 'admin') > 1`;

/**
 * Role assignments inside one tenant (`tenant_members`). Every method takes the tenant id first and
 * every statement is bounded by it, so no call can reach another tenant's rows. The "last admin"
 * rule is part of the statement that would break it; each write first touches the tenant's row, so
 * on PostgreSQL two concurrent demotions of two admins queue on that row lock and the second one
 * counts the first one's result (D1 runs batches one at a time anyway).
 */
export class AgentRepository {
  constructor(private readonly db: Database) {}

  /** The tenant's agents with their e-mail and role, by e-mail. */
  async list(tenantId: string): Promise<Agent[]> {
    const rows = await this.db.all<AgentRow>(sql`
      SELECT m.user_id AS agent_id, u.email AS email, m.role AS role
      FROM tenant_members m JOIN users u ON u.id = m.user_id
      WHERE m.tenant_id = ${tenantId}
      ORDER BY u.email_normalized`);
    return rows.map(toAgent);
  }

  /**
   * How many agents each of these tenants has (one grouped query over `tenant_members_tenant_idx`);
   * a tenant without agents is absent from the map.
   */
  async countByTenant(tenantIds: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    // In slices: D1 binds at most 100 parameters a statement.
    for (let start = 0; start < tenantIds.length; start += COUNT_SLICE) {
      const slice = tenantIds.slice(start, start + COUNT_SLICE);
      const rows = await this.db.all<{ tenant_id: string; agents: number }>(sql`
        SELECT tenant_id, COUNT(*) AS agents FROM tenant_members
        WHERE tenant_id IN (${sql.join(
          slice.map((id) => sql`${id}`),
          sql`, `,
        )})
        GROUP BY tenant_id`);
      for (const row of rows) counts.set(row.tenant_id, Number(row.agents));
    }
    return counts;
  }

  /** One agent of the tenant, or undefined when the user has no role there. */
  async find(tenantId: string, userId: string): Promise<Agent | undefined> {
    const row = await this.db.first<AgentRow>(sql`
      SELECT m.user_id AS agent_id, u.email AS email, m.role AS role
      FROM tenant_members m JOIN users u ON u.id = m.user_id
      WHERE m.tenant_id = ${tenantId} AND m.user_id = ${userId}`);
    return row && toAgent(row);
  }

  /**
   * Creates or changes the user's role in the tenant in one statement; an admin is demoted only
   * while another admin remains, and an existing role is changed only while it is at or below
   * `upTo` (the caller's role), so a promotion that lands between the caller's check and this
   * write is not undone. `no_user` when there is no such user.
   */
  async assign(
    tenantId: string,
    userId: string,
    role: TenantRole,
    at: Date,
    upTo: TenantRole = "admin",
  ): Promise<AssignOutcome> {
    const [, rows] = await this.db.atomic([
      this.lockTenant(tenantId),
      sql`
        INSERT INTO tenant_members (user_id, tenant_id, created_at, role)
        SELECT u.id, CAST(${tenantId} AS TEXT), CAST(${at.getTime()} AS BIGINT), CAST(${role} AS TEXT)
        FROM users u WHERE u.id = ${userId}
        ON CONFLICT (user_id, tenant_id) DO UPDATE SET role = excluded.role
        WHERE tenant_members.role IN (${rolesUpTo(upTo)})
          AND (tenant_members.role <> 'admin' OR excluded.role = 'admin' OR ${anotherAdmin(tenantId)})
        RETURNING user_id`,
    ]);
    const agent = await this.find(tenantId, userId);
    if (rows?.length && agent) return { outcome: "assigned", agent };
    if (!agent) return { outcome: "no_user" };
    return tenantRoleAbove(agent.role, upTo)
      ? { outcome: "above", role: agent.role }
      : { outcome: "last_admin" };
  }

  /**
   * Removes the user's role in the tenant unless they are its last admin or their role is above
   * `upTo` (the caller's role) when the statement runs; `alsoRun` (ending their tenant sessions)
   * commits in the same unit.
   */
  async remove(
    tenantId: string,
    userId: string,
    alsoRun: SQL[] = [],
    upTo: TenantRole = "admin",
  ): Promise<RemoveOutcome> {
    const [, rows] = await this.db.atomic([
      this.lockTenant(tenantId),
      sql`
        DELETE FROM tenant_members
        WHERE tenant_id = ${tenantId} AND user_id = ${userId}
          AND role IN (${rolesUpTo(upTo)})
          AND (role <> 'admin' OR ${anotherAdmin(tenantId)})
        RETURNING user_id`,
      ...alsoRun,
    ]);
    if (rows?.length) return "removed";
    const agent = await this.find(tenantId, userId);
    if (!agent) return "none";
    return tenantRoleAbove(agent.role, upTo) ? "above" : "last_admin";
  }

  private lockTenant(tenantId: string): SQL {
    return sql`UPDATE tenants SET updated_at = updated_at WHERE id = ${tenantId}`;
  }
}

/** True when `role` ranks above `upTo`. */
function tenantRoleAbove(role: TenantRole, upTo: TenantRole): boolean {
  return TENANT_ROLES.indexOf(role) < TENANT_ROLES.indexOf(upTo);
}
