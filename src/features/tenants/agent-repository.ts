import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../../db";
import type { TenantRole } from "./repository";

/** One agent of a tenant: a user with a role assignment there (seed 004's `RoleAssignmentRead`). */
export interface Agent {
  agentId: string;
  email: string;
  role: TenantRole;
}

/** What an assignment did: the assignment, or why there is none. */
export type AssignOutcome =
  | { outcome: "assigned"; agent: Agent }
  | { outcome: "no_user" }
  | { outcome: "last_admin" };

/** What a removal did. */
export type RemoveOutcome = "removed" | "none" | "last_admin";

interface AgentRow {
  agent_id: string;
  email: string;
  role: TenantRole;
}

const toAgent = (row: AgentRow): Agent => ({ agentId: row.agent_id, email: row.email, role: row.role });

const COUNT_SLICE = 50;

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
   * while another admin remains. `no_user` when there is no such user.
   */
  async assign(tenantId: string, userId: string, role: TenantRole, at: Date): Promise<AssignOutcome> {
    const [, rows] = await this.db.atomic([
      this.lockTenant(tenantId),
      sql`
        INSERT INTO tenant_members (user_id, tenant_id, created_at, role)
        SELECT u.id, CAST(${tenantId} AS TEXT), CAST(${at.getTime()} AS BIGINT), CAST(${role} AS TEXT)
        FROM users u WHERE u.id = ${userId}
        ON CONFLICT (user_id, tenant_id) DO UPDATE SET role = excluded.role
        WHERE tenant_members.role <> 'admin' OR excluded.role = 'admin' OR ${anotherAdmin(tenantId)}
        RETURNING user_id`,
    ]);
    const agent = rows?.length ? await this.find(tenantId, userId) : undefined;
    if (agent) return { outcome: "assigned", agent };
    return (await this.find(tenantId, userId)) ? { outcome: "last_admin" } : { outcome: "no_user" };
  }

  /**
   * Removes the user's role in the tenant unless they are its last admin; `alsoRun` (ending their
   * tenant sessions) commits in the same unit.
   */
  async remove(tenantId: string, userId: string, alsoRun: SQL[] = []): Promise<RemoveOutcome> {
    const [, rows] = await this.db.atomic([
      this.lockTenant(tenantId),
      sql`
        DELETE FROM tenant_members
        WHERE tenant_id = ${tenantId} AND user_id = ${userId}
          AND (role <> 'admin' OR ${anotherAdmin(tenantId)})
        RETURNING user_id`,
      ...alsoRun,
    ]);
    if (rows?.length) return "removed";
    return (await this.find(tenantId, userId)) ? "last_admin" : "none";
  }

  private lockTenant(tenantId: string): SQL {
    return sql`UPDATE tenants SET updated_at = updated_at WHERE id = ${tenantId}`;
  }
}
