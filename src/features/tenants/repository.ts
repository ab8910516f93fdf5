import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../../db";
import { dateOrNull } from "../../db/time";
import type { Clock } from "../../platform/clock";
import { base64UrlDecode, base64UrlEncode } from "../../platform/encoding";
import { AppError } from "../../platform/errors";
import { newId } from "../../platform/ids";
import type { RandomSource } from "../../platform/random";

/** One tenant, as invites and listings name it. */
export interface Tenant {
  id: string;
  slug: string;
  name: string;
}

/** Whether a tenant's agents may sign in. */
export type TenantStatus = "active" | "disabled";

/** A tenant with its settings (`POST /api/tenants`, `GET /api/tenants/{slug}`). */
export interface TenantRecord extends Tenant {
  status: TenantStatus;
  /** The tenant's own session timeout, or null for the operator's `TENANT_SESSION_TIMEOUT`. */
  sessionTimeoutSeconds: number | null;
  /** Every agent proves a second factor at login. */
  mfaRequired: boolean;
  createdAt: Date;
  updatedAt: Date | null;
}

/** What `create` stores. */
export interface NewTenant {
  slug: string;
  name: string;
  sessionTimeoutSeconds: number | null;
  mfaRequired: boolean;
}

/** The settings `update` may change; absent fields stay as they are. */
export interface TenantChanges {
  name?: string;
  status?: TenantStatus;
  sessionTimeoutSeconds?: number | null;
  mfaRequired?: boolean;
}

/** One page of tenants by slug, and the cursor of the next one. */
export interface TenantPage {
  tenants: TenantRecord[];
  nextCursor: string | null;
}

/** The largest page `list` returns. */
export const MAX_TENANT_PAGE_SIZE = 100;

/**
 * Slugs: lowercase letters, digits and inner hyphens, 1..63 characters (a DNS label), so a slug is
 * safe in a path, a host name and a metric label. Tenants made by invites before this rule keep theirs.
 */
export const TENANT_SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

interface TenantRow {
  id: string;
  slug: string;
  name: string;
  status: TenantStatus;
  session_timeout_seconds: number | null;
  mfa_required: number;
  created_at: number;
  updated_at: number | null;
}

const RECORD_COLUMNS = sql.raw(
  "id, slug, name, status, session_timeout_seconds, mfa_required, created_at, updated_at",
);

function toRecord(row: TenantRow): TenantRecord {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    status: row.status,
    sessionTimeoutSeconds: row.session_timeout_seconds === null ? null : Number(row.session_timeout_seconds),
    mfaRequired: Number(row.mfa_required) === 1,
    createdAt: new Date(Number(row.created_at)),
    updatedAt: dateOrNull(row.updated_at === null ? null : Number(row.updated_at)),
  };
}

/** The slug inside a cursor of `list`; a forged one is a 400 on `query.cursor`. */
function slugOfCursor(cursor: string): string {
  let slug: string | undefined;
  try {
    slug = cursor.length <= 120 ? new TextDecoder().decode(base64UrlDecode(cursor)) : undefined;
  } catch {
    slug = undefined;
  }
  if (slug === undefined || slug.length === 0 || slug.length > 80) {
    throw new AppError("VALIDATION_FAILED", "The cursor is not valid", {
      errors: [{ field: "query.cursor", message: "is not a cursor this list returned" }],
    });
  }
  return slug;
}

/** Roles inside one tenant, highest first (seed 004); independent of the user's global role. */
export const TENANT_ROLES = ["admin", "gestor", "usuario"] as const;
export type TenantRole = (typeof TENANT_ROLES)[number];

/** A user's place in one tenant: their tenant role and the `nucleos` an invite gave them. */
export interface TenantMembership {
  role: TenantRole;
  nucleos: unknown[] | null;
}

/** One page of a user's tenants with their role there, and the cursor of the next one. */
export interface MembershipPage {
  items: Array<{ tenant: Tenant; role: TenantRole }>;
  nextCursor: string | null;
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

  /** Stores a new tenant; a taken slug rejects with `UniqueViolation`. */
  async create(tenant: NewTenant): Promise<TenantRecord> {
    const row = await this.db.first<TenantRow>(sql`
      INSERT INTO tenants (id, slug, name, created_at, status, session_timeout_seconds, mfa_required)
      VALUES (${newId("tenant", this.clock, this.random)}, ${tenant.slug}, ${tenant.name},
              ${this.clock.now().getTime()}, 'active', ${tenant.sessionTimeoutSeconds},
              ${tenant.mfaRequired ? 1 : 0})
      RETURNING ${RECORD_COLUMNS}`);
    return toRecord(row!);
  }

  /** The tenant with this slug and its settings, or undefined. */
  async findBySlug(slug: string): Promise<TenantRecord | undefined> {
    const row = await this.db.first<TenantRow>(
      sql`SELECT ${RECORD_COLUMNS} FROM tenants WHERE slug = ${slug}`,
    );
    return row && toRecord(row);
  }

  /** Tenants in slug order; `cursor` is a previous page's `nextCursor`. */
  async list(options: { cursor?: string; limit: number }): Promise<TenantPage> {
    const pageSize = Math.min(Math.max(Math.trunc(options.limit) || 1, 1), MAX_TENANT_PAGE_SIZE);
    const after =
      options.cursor === undefined ? sql.empty() : sql`WHERE slug > ${slugOfCursor(options.cursor)}`;
    // One row more than the page tells whether another page follows.
    const rows = await this.db.all<TenantRow>(sql`
      SELECT ${RECORD_COLUMNS} FROM tenants ${after} ORDER BY slug LIMIT ${pageSize + 1}`);
    const tenants = rows.slice(0, pageSize).map(toRecord);
    const last = tenants.at(-1);
    return {
      tenants,
      nextCursor:
        rows.length > pageSize && last ? base64UrlEncode(new TextEncoder().encode(last.slug)) : null,
    };
  }

  /**
   * Changes a tenant's settings and returns it, or undefined when there is no such tenant; `extra`
   * statements (ending a disabled tenant's sessions) commit in the same unit.
   */
  async update(
    tenantId: string,
    changes: TenantChanges,
    extra: SQL[] = [],
  ): Promise<TenantRecord | undefined> {
    const at = this.clock.now().getTime();
    const sets: SQL[] = [sql`updated_at = ${at}`];
    if (changes.name !== undefined) sets.push(sql`name = ${changes.name}`);
    if (changes.status !== undefined) sets.push(sql`status = ${changes.status}`);
    if (changes.sessionTimeoutSeconds !== undefined)
      sets.push(sql`session_timeout_seconds = ${changes.sessionTimeoutSeconds}`);
    if (changes.mfaRequired !== undefined) sets.push(sql`mfa_required = ${changes.mfaRequired ? 1 : 0}`);
    const [rows] = await this.db.atomic([
      sql`UPDATE tenants SET ${sql.join(sets, sql`, `)} WHERE id = ${tenantId} RETURNING ${RECORD_COLUMNS}`,
      ...extra,
    ]);
    const row = rows?.[0] as TenantRow | undefined;
    return row && toRecord(row);
  }

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

  /**
   * One page, by slug, of the tenants where the user's role is one of `roles`, with that role
   * (the console's list of the tenants a global gestor manages); `cursor` as `list`'s.
   */
  async membershipsOf(
    userId: string,
    roles: readonly TenantRole[],
    options: { cursor?: string; limit: number },
  ): Promise<MembershipPage> {
    const pageSize = Math.min(Math.max(Math.trunc(options.limit) || 1, 1), MAX_TENANT_PAGE_SIZE);
    if (roles.length === 0) return { items: [], nextCursor: null };
    const after =
      options.cursor === undefined ? sql.empty() : sql`AND t.slug > ${slugOfCursor(options.cursor)}`;
    const rows = await this.db.all<Tenant & { role: TenantRole }>(sql`
      SELECT t.id AS id, t.slug AS slug, t.name AS name, m.role AS role
      FROM tenant_members m JOIN tenants t ON t.id = m.tenant_id
      WHERE m.user_id = ${userId} AND m.role IN (${sql.join(
        roles.map((role) => sql`${role}`),
        sql`, `,
      )}) ${after}
      ORDER BY t.slug LIMIT ${pageSize + 1}`);
    const items = rows
      .slice(0, pageSize)
      .map((row) => ({ tenant: { id: row.id, slug: row.slug, name: row.name }, role: row.role }));
    const last = items.at(-1);
    return {
      items,
      nextCursor:
        rows.length > pageSize && last ? base64UrlEncode(new TextEncoder().encode(last.tenant.slug)) : null,
    };
  }

  /** The slugs of the user's tenants, sorted, so tokens built from them are reproducible. */
  async slugsForUser(userId: string): Promise<string[]> {
    return this.slugsFrom(await this.db.all(this.slugsForUserStatement(userId)));
  }

  /** `slugsForUser` as a statement for `db.atomic` (read in the round trip of another statement). */
  slugsForUserStatement(userId: string): SQL {
    return sql`
      SELECT t.slug AS slug FROM tenant_members m JOIN tenants t ON t.id = m.tenant_id
      WHERE m.user_id = ${userId}
      ORDER BY t.slug`;
  }

  /** The slugs in the rows `slugsForUserStatement` returned. */
  slugsFrom(rows: unknown[] | undefined): string[] {
    return ((rows ?? []) as Array<{ slug: string }>).map((row) => row.slug);
  }
}
