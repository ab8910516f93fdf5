import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../../db";
import type { Statement } from "../../db/database";
import type { TenantMembership, TenantRole } from "../tenants/repository";
import type { Invite, InviteActorRecord, InviteState, Nucleos } from "./invite";
import type { InviteProfile } from "./profiles";

interface InviteRow {
  id: string;
  code_hash: string;
  code_prefix: string;
  tipo_destino: string;
  role: string;
  tenant_id: string;
  tenant_slug: string;
  nucleos: string | null;
  data_expiracao: number;
  estado: string;
  created_by: string;
  created_at: number;
  used_by: string | null;
  used_at: number | null;
  used_ip: string | null;
  used_user_agent: string | null;
  revoked_by: string | null;
  revoked_at: number | null;
  revoked_ip: string | null;
  revoked_user_agent: string | null;
}

const SELECT_INVITE = sql`
  SELECT i.id AS id, i.code_hash AS code_hash, i.code_prefix AS code_prefix, i.tipo_destino AS tipo_destino,
         i.role AS role, i.tenant_id AS tenant_id, t.slug AS tenant_slug, i.nucleos AS nucleos,
         i.data_expiracao AS data_expiracao, i.estado AS estado, i.created_by AS created_by,
         i.created_at AS created_at, i.used_by AS used_by, i.used_at AS used_at, i.used_ip AS used_ip,
         i.used_user_agent AS used_user_agent, i.revoked_by AS revoked_by, i.revoked_at AS revoked_at,
         i.revoked_ip AS revoked_ip, i.revoked_user_agent AS revoked_user_agent
  FROM invites i JOIN tenants t ON t.id = i.tenant_id`;

function actorRecord(
  by: string | null,
  at: number | null,
  ip: string | null,
  userAgent: string | null,
): InviteActorRecord | null {
  return by === null || at === null ? null : { by, at: new Date(at), ip, userAgent };
}

function toInvite(row: InviteRow): Invite {
  return {
    id: row.id,
    codeHash: row.code_hash,
    codePrefix: row.code_prefix,
    tipoDestino: row.tipo_destino as InviteProfile,
    role: row.role as TenantRole,
    tenantId: row.tenant_id,
    tenantSlug: row.tenant_slug,
    nucleos: row.nucleos === null ? null : (JSON.parse(row.nucleos) as Nucleos),
    dataExpiracao: new Date(row.data_expiracao),
    estado: row.estado as InviteState,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at),
    used: actorRecord(row.used_by, row.used_at, row.used_ip, row.used_user_agent),
    revoked: actorRecord(row.revoked_by, row.revoked_at, row.revoked_ip, row.revoked_user_agent),
  };
}

/** What creating an invite stores. */
export type NewInvite = Omit<Invite, "estado" | "used" | "revoked">;

/** Which invites a listing may return: every one (root), or those of the caller's tenants. */
export type InviteVisibility = { all: true } | { memberOf: string };

/** Filters of `GET /api/tokens/`; `estado` is the effective state at `now`. */
export interface InviteFilters {
  estado?: InviteState;
  tenantId?: string;
  createdBy?: string;
  /** `created_at >= createdFrom` */
  createdFrom?: Date;
  /** `created_at < createdTo` */
  createdTo?: Date;
}

/** How `use` or `revoke` ended: whether this call changed the invite, and the invite afterwards. */
export interface StateChange {
  changed: boolean;
  invite: Invite | undefined;
}

/** How `use` ended, with the user's membership of the invite's tenant afterwards. */
export interface UseOutcome extends StateChange {
  membership: TenantMembership | undefined;
}

/** Tenant roles ranked in SQL, so a membership upsert keeps the higher of two roles. */
const rank = (column: SQL) => sql`CASE ${column} WHEN 'admin' THEN 2 WHEN 'gestor' THEN 1 ELSE 0 END`;

/**
 * Invites on D1 or PostgreSQL. Every state change is one conditional statement on `estado = 'novo'`
 * and `data_expiracao`, so of fifty concurrent uses exactly one changes the row, and nothing reads
 * then writes.
 */
export class InviteRepository {
  constructor(private readonly db: Database) {}

  /** Inserts the invite, in one atomic unit with `alongside` (its audit row) when given. */
  async insert(invite: NewInvite, alongside: Statement[] = []): Promise<Invite> {
    await this.db.atomic([
      sql`
      INSERT INTO invites (id, code_hash, code_prefix, tipo_destino, role, tenant_id, nucleos, data_expiracao,
                           estado, created_by, created_at)
      VALUES (${invite.id}, ${invite.codeHash}, ${invite.codePrefix}, ${invite.tipoDestino}, ${invite.role},
              ${invite.tenantId}, ${invite.nucleos === null ? null : JSON.stringify(invite.nucleos)},
              ${invite.dataExpiracao.getTime()}, 'novo', ${invite.createdBy}, ${invite.createdAt.getTime()})`,
      ...alongside,
    ]);
    return { ...invite, estado: "novo", used: null, revoked: null };
  }

  async findById(id: string): Promise<Invite | undefined> {
    const row = await this.db.first<InviteRow>(sql`${SELECT_INVITE} WHERE i.id = ${id}`);
    return row && toInvite(row);
  }

  async findByCodeHash(codeHash: string): Promise<Invite | undefined> {
    const row = await this.db.first<InviteRow>(sql`${SELECT_INVITE} WHERE i.code_hash = ${codeHash}`);
    return row && toInvite(row);
  }

  /**
   * Consumes the invite `id` if `codeHash` is its code, it is `novo` and not past its expiry, and
   * in the same atomic unit makes the user a member of its tenant with its role and `nucleos`. A
   * user already a member keeps the higher of the two roles (an invite never demotes anyone) and
   * gets the invite's `nucleos` when it has some. Returns the invite as it is afterwards either
   * way, and the user's membership, so a refusal can say why without another read. `alongside`
   * (the audit row, conditional on `consumedBy`) runs in the same unit, after the change.
   */
  async use(
    id: string,
    codeHash: string,
    record: InviteActorRecord,
    alongside: Statement[] = [],
  ): Promise<UseOutcome> {
    const at = record.at.getTime();
    const results = await this.db.atomic([
      sql`
        UPDATE invites
        SET estado = 'usado', used_by = ${record.by}, used_at = ${at}, used_ip = ${record.ip},
            used_user_agent = ${record.userAgent}
        WHERE id = ${id} AND code_hash = ${codeHash} AND estado = 'novo' AND data_expiracao > ${at}
        RETURNING id`,
      sql`
        INSERT INTO tenant_members (user_id, tenant_id, created_at, role, nucleos)
        SELECT i.used_by, i.tenant_id, i.used_at, i.role, i.nucleos FROM invites i
        WHERE i.id = ${id} AND i.estado = 'usado' AND i.used_by = ${record.by} AND i.used_at = ${at}
        ON CONFLICT (user_id, tenant_id) DO UPDATE SET
          role = CASE WHEN ${rank(sql`excluded.role`)} > ${rank(sql`tenant_members.role`)}
                      THEN excluded.role ELSE tenant_members.role END,
          nucleos = COALESCE(excluded.nucleos, tenant_members.nucleos)`,
      ...alongside,
      sql`${SELECT_INVITE} WHERE i.id = ${id}`,
      sql`
        SELECT m.role AS role, m.nucleos AS nucleos FROM tenant_members m JOIN invites i ON i.tenant_id = m.tenant_id
        WHERE i.id = ${id} AND m.user_id = ${record.by}`,
    ]);
    const row = results.at(-2)?.[0] as InviteRow | undefined;
    const member = results.at(-1)?.[0] as { role: TenantRole; nucleos: string | null } | undefined;
    return {
      changed: (results[0]?.length ?? 0) === 1,
      invite: row && toInvite(row),
      membership: member && {
        role: member.role,
        nucleos: member.nucleos === null ? null : (JSON.parse(member.nucleos) as unknown[]),
      },
    };
  }

  /** An SQL condition, true once `by` has used invite `id` at `at` (for an audit row in `use`'s unit). */
  consumedBy(id: string, by: string, at: Date): Statement {
    return sql`EXISTS (SELECT 1 FROM invites WHERE id = ${id} AND estado = 'usado' AND used_by = ${by}
                       AND used_at = ${at.getTime()})`;
  }

  /** The tenant of invite `id`, as a scalar subquery (the tenant of an audit row written with `use`). */
  tenantOf(id: string): Statement {
    return sql`(SELECT tenant_id FROM invites WHERE id = ${id})`;
  }

  /** An SQL condition, true once `by` has revoked invite `id` at `at`. */
  revokedBy(id: string, by: string, at: Date): Statement {
    return sql`EXISTS (SELECT 1 FROM invites WHERE id = ${id} AND estado = 'revogado' AND revoked_by = ${by}
                       AND revoked_at = ${at.getTime()})`;
  }

  /**
   * Revokes the invite if it is still `novo` and not expired, recording who, when and from where.
   * Returns whether this call revoked it and the invite as it is afterwards; `alongside` (the audit
   * row, conditional on `revokedBy`) runs in the same unit, after the change.
   */
  async revoke(id: string, record: InviteActorRecord, alongside: Statement[] = []): Promise<StateChange> {
    const at = record.at.getTime();
    const results = await this.db.atomic([
      sql`
        UPDATE invites
        SET estado = 'revogado', revoked_by = ${record.by}, revoked_at = ${at}, revoked_ip = ${record.ip},
            revoked_user_agent = ${record.userAgent}
        WHERE id = ${id} AND estado = 'novo' AND data_expiracao > ${at}
        RETURNING id`,
      ...alongside,
      sql`${SELECT_INVITE} WHERE i.id = ${id}`,
    ]);
    const row = results.at(-1)?.[0] as InviteRow | undefined;
    return { changed: (results[0]?.length ?? 0) === 1, invite: row && toInvite(row) };
  }

  /**
   * One page of invites, newest first (ids are time-ordered): those `visibility` allows, matching
   * `filters`, after the id `afterId`; `limit + 1` rows are read so the caller knows if more follow.
   */
  async list(query: {
    visibility: InviteVisibility;
    filters: InviteFilters;
    now: Date;
    afterId?: string;
    limit: number;
  }): Promise<Invite[]> {
    const now = query.now.getTime();
    const conditions: SQL[] = [];
    if ("memberOf" in query.visibility) {
      conditions.push(
        sql`i.tenant_id IN (SELECT tenant_id FROM tenant_members WHERE user_id = ${query.visibility.memberOf})`,
      );
    }
    const { estado, tenantId, createdBy, createdFrom, createdTo } = query.filters;
    if (estado === "novo") conditions.push(sql`i.estado = 'novo' AND i.data_expiracao > ${now}`);
    if (estado === "expirado") {
      conditions.push(sql`(i.estado = 'expirado' OR (i.estado = 'novo' AND i.data_expiracao <= ${now}))`);
    }
    if (estado === "usado" || estado === "revogado") conditions.push(sql`i.estado = ${estado}`);
    if (tenantId) conditions.push(sql`i.tenant_id = ${tenantId}`);
    if (createdBy) conditions.push(sql`i.created_by = ${createdBy}`);
    if (createdFrom) conditions.push(sql`i.created_at >= ${createdFrom.getTime()}`);
    if (createdTo) conditions.push(sql`i.created_at < ${createdTo.getTime()}`);
    if (query.afterId) conditions.push(sql`i.id < ${query.afterId}`);
    const where = conditions.length > 0 ? sql`WHERE ${sql.join(conditions, sql` AND `)}` : sql``;
    const rows = await this.db.all<InviteRow>(sql`
      ${SELECT_INVITE} ${where} ORDER BY i.id DESC LIMIT ${query.limit + 1}`);
    return rows.map(toInvite);
  }
}
