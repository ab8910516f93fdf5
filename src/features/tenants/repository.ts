import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../../db";
import type { Clock } from "../../platform/clock";
import { newId } from "../../platform/ids";
import type { RandomSource } from "../../platform/random";

/** One tenant, as invites and listings name it. */
export interface Tenant {
  id: string;
  slug: string;
  name: string;
}

/** Roles inside one tenant, highest first (seed 004); independent of the user's global role. */
export const TENANT_ROLES = ["admin", "gestor", "usuario"] as const;
export type TenantRole = (typeof TENANT_ROLES)[number];

/** A user's place in one tenant: their tenant role and the `nucleos` an invite gave them. */
export interface TenantMembership {
  role: TenantRole;
  nucleos: unknown[] | null;
}

/** Ids of tenants: `tnt_…`, or `ins_…` for tenants made before the rename. */
const TENANT_ID = /^(tnt|ins)_[0-9a-hjkmnp-tv-z]{26}$/;

/**
 * Tenants (the organisations seed 001 calls `organizacao` and seed 002 `institutions`, by slug such
 * as `default`) and which users belong to them. The slugs of a user's tenants go into the
 * `institutions` claim of their tokens (seed 002's name on the wire).
 */
export class TenantRepository {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly random: RandomSource,
  ) {}

  /** Creates the tenants whose slugs do not exist yet (the slug doubles as the name). */
  async ensure(slugs: readonly string[]): Promise<void> {
    const at = this.clock.now().getTime();
    for (const slug of new Set(slugs)) {
      await this.db.run(sql`
        INSERT INTO tenants (id, slug, name, created_at)
        VALUES (${newId("tenant", this.clock, this.random)}, ${slug}, ${slug}, ${at})
        ON CONFLICT DO NOTHING`);
    }
  }

  /**
   * Makes the user a member of the tenant with this slug, only if that user exists and the slug
   * does (no error otherwise); a statement for `db.atomic`, so membership can join the user's creation.
   */
  addMemberIfUserExistsStatement(userId: string, slug: string, at: Date): SQL {
    return sql`
      INSERT INTO tenant_members (user_id, tenant_id, created_at)
      SELECT u.id, t.id, CAST(${at.getTime()} AS BIGINT) FROM users u, tenants t
      WHERE u.id = ${userId} AND t.slug = ${slug}
      ON CONFLICT DO NOTHING`;
  }

  /**
   * The tenant an `organizacao` names: by id when it has a tenant id's shape, by slug otherwise.
   */
  async findByRef(ref: string): Promise<Tenant | undefined> {
    const column = TENANT_ID.test(ref) ? sql`id` : sql`slug`;
    return this.db.first<Tenant>(sql`SELECT id, slug, name FROM tenants WHERE ${column} = ${ref}`);
  }

  /** The tenants the user belongs to, by slug. */
  async tenantsOf(userId: string): Promise<Tenant[]> {
    return this.db.all<Tenant>(sql`
      SELECT t.id AS id, t.slug AS slug, t.name AS name
      FROM tenant_members m JOIN tenants t ON t.id = m.tenant_id
      WHERE m.user_id = ${userId}
      ORDER BY t.slug`);
  }

  /** The user's role in the tenant, or undefined when they are not a member. */
  async roleIn(userId: string, tenantId: string): Promise<TenantMembership | undefined> {
    const row = await this.db.first<{ role: TenantRole; nucleos: string | null }>(sql`
      SELECT role, nucleos FROM tenant_members WHERE user_id = ${userId} AND tenant_id = ${tenantId}`);
    return (
      row && { role: row.role, nucleos: row.nucleos === null ? null : (JSON.parse(row.nucleos) as unknown[]) }
    );
  }

  /** The slugs of the user's tenants, sorted, so tokens built from them are reproducible. */
  async slugsForUser(userId: string): Promise<string[]> {
    const rows = await this.db.all<{ slug: string }>(sql`
      SELECT t.slug AS slug FROM tenant_members m JOIN tenants t ON t.id = m.tenant_id
      WHERE m.user_id = ${userId}
      ORDER BY t.slug`);
    return rows.map((row) => row.slug);
  }
}
