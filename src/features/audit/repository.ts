import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../../db";
import { base64UrlDecode, base64UrlEncode } from "../../platform/encoding";
import { AppError } from "../../platform/errors";
import type { AuditLog, AuditResult } from "./audit-log";
import type { ChainRow } from "./chain";

/** An audit row as stored: the same columns a chain link hashes. */
type AuditRow = ChainRow;

/** A stored row with its place in the hash chain (null until sealed). */
export interface ChainedAuditLog extends AuditLog {
  chain: { seq: number; hash: string } | null;
}

/** Filters of the audit listings; every one optional, combined with AND. */
export interface AuditQuery {
  actorId?: string;
  targetType?: string;
  targetId?: string;
  event?: string;
  /** `created_at >= from` */
  from?: Date;
  /** `created_at < to` */
  to?: Date;
  /** Only rows of tenants this user belongs to (admins); absent for every row (root). */
  tenantsOf?: string;
}

/** Guards of an audit insert that runs inside the atomic unit of the change it records. */
export interface AuditStatementOptions {
  /**
   * An SQL condition: the row is written only when it holds at that point of the unit, e.g. only
   * if the conditional update before it changed a row.
   */
  onlyIf?: SQL;
  /** A scalar subquery giving the tenant, when the caller does not know it before the unit runs. */
  tenantIdFrom?: SQL;
  /**
   * A scalar subquery giving the metadata as JSON text, when it depends on rows the unit writes
   * (the caller builds it from ids only: nothing secret, nothing that needs escaping).
   */
  metadataFrom?: SQL;
  /**
   * Written only if no row of the same event, result and target exists yet: a single-use change
   * (an invite used, revoked) is recorded once, even when a losing concurrent call by the same
   * actor in the same millisecond also satisfies `onlyIf`.
   */
  once?: boolean;
}

/** One page, newest first; `nextCursor` is null on the last page. */
export interface AuditPage {
  items: ChainedAuditLog[];
  nextCursor: string | null;
}

const MAX_CURSOR_LENGTH = 128;

/** The position after a row, opaque to clients: base64url of `[created_at, id]`. */
function encodeCursor(row: AuditLog): string {
  return base64UrlEncode(new TextEncoder().encode(JSON.stringify([row.createdAt.getTime(), row.id])));
}

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  try {
    if (cursor.length <= MAX_CURSOR_LENGTH) {
      const [createdAt, id] = JSON.parse(new TextDecoder().decode(base64UrlDecode(cursor))) as unknown[];
      if (Number.isSafeInteger(createdAt) && typeof id === "string")
        return { createdAt: createdAt as number, id };
    }
  } catch {
    // Reported below, like any other cursor this listing did not make.
  }
  throw new AppError("VALIDATION_FAILED", "The cursor is not valid", {
    errors: [{ field: "query.cursor", message: "is not a cursor this list returned" }],
  });
}

const COLUMNS = sql.raw(
  "id, event, result, reason, actor_id, target_type, target_id, tenant_id, ip, user_agent, request_id, client_request_id, metadata, created_at",
);

function toAuditLog(row: AuditRow): AuditLog {
  return {
    id: row.id,
    event: row.event,
    result: row.result as AuditResult,
    reason: row.reason,
    actorId: row.actor_id,
    targetType: row.target_type,
    targetId: row.target_id,
    tenantId: row.tenant_id,
    ip: row.ip,
    userAgent: row.user_agent,
    requestId: row.request_id,
    clientRequestId: row.client_request_id,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    createdAt: new Date(row.created_at),
  };
}

/**
 * Audit rows on D1 or PostgreSQL. Append-only: nothing here updates or deletes a row (the hash
 * chain's sealer, chain-repository.ts, only fills a row's empty link columns once).
 */
export class AuditLogRepository {
  constructor(private readonly db: Database) {}

  async insert(entry: AuditLog): Promise<void> {
    await this.db.run(this.insertStatement(entry));
  }

  /**
   * The insert as a statement for `db.atomic`, so a change and its audit row commit together (see
   * `AuditStatementOptions` for the guards).
   */
  insertStatement(entry: AuditLog, options: AuditStatementOptions = {}): SQL {
    const tenant = options.tenantIdFrom ?? sql`CAST(${entry.tenantId} AS TEXT)`;
    // A SELECT list, not VALUES, so that a condition can guard it; PostgreSQL cannot infer the
    // types of bare parameters there, so each value is cast.
    const values = sql`CAST(${entry.id} AS TEXT), CAST(${entry.event} AS TEXT), CAST(${entry.result} AS TEXT),
      CAST(${entry.reason} AS TEXT), CAST(${entry.actorId} AS TEXT), CAST(${entry.targetType} AS TEXT),
      CAST(${entry.targetId} AS TEXT), ${tenant}, CAST(${entry.ip} AS TEXT), CAST(${entry.userAgent} AS TEXT),
      CAST(${entry.requestId} AS TEXT), CAST(${entry.clientRequestId} AS TEXT),
      ${options.metadataFrom ?? sql`CAST(${JSON.stringify(entry.metadata)} AS TEXT)`},
      CAST(${entry.createdAt.getTime()} AS BIGINT)`;
    const conditions: SQL[] = [options.onlyIf ?? sql`1 = 1`];
    if (options.once) {
      conditions.push(sql`NOT EXISTS (
        SELECT 1 FROM audit_logs WHERE target_type = ${entry.targetType} AND target_id = ${entry.targetId}
          AND event = ${entry.event} AND result = ${entry.result})`);
    }
    return sql`INSERT INTO audit_logs (${COLUMNS}) SELECT ${values} WHERE ${sql.join(conditions, sql` AND `)}`;
  }

  /** The history of one target (an invite, a user…), oldest first. */
  async listByTarget(targetType: string, targetId: string, limit = 100): Promise<AuditLog[]> {
    const rows = await this.db.all<AuditRow>(sql`
      SELECT ${COLUMNS} FROM audit_logs
      WHERE target_type = ${targetType} AND target_id = ${targetId}
      ORDER BY created_at, id
      LIMIT ${limit}`);
    return rows.map(toAuditLog);
  }

  /**
   * One page of rows matching `query`, newest first (`created_at`, then id), `limit` rows, after
   * `cursor`. Throws `AppError("VALIDATION_FAILED")` on `query.cursor` for a cursor it did not make.
   */
  async list(query: AuditQuery, page: { cursor?: string; limit: number }): Promise<AuditPage> {
    const conditions: SQL[] = [];
    if (query.actorId) conditions.push(sql`actor_id = ${query.actorId}`);
    if (query.targetType) conditions.push(sql`target_type = ${query.targetType}`);
    if (query.targetId) conditions.push(sql`target_id = ${query.targetId}`);
    if (query.event) conditions.push(sql`event = ${query.event}`);
    if (query.from) conditions.push(sql`created_at >= ${query.from.getTime()}`);
    if (query.to) conditions.push(sql`created_at < ${query.to.getTime()}`);
    if (query.tenantsOf) {
      conditions.push(
        sql`tenant_id IN (SELECT tenant_id FROM tenant_members WHERE user_id = ${query.tenantsOf})`,
      );
    }
    if (page.cursor) {
      const after = decodeCursor(page.cursor);
      conditions.push(
        sql`(created_at < ${after.createdAt} OR (created_at = ${after.createdAt} AND id < ${after.id}))`,
      );
    }
    const where = conditions.length > 0 ? sql`WHERE ${sql.join(conditions, sql` AND `)}` : sql``;
    const rows = await this.db.all<AuditRow & { seq: number | null; hash: string | null }>(sql`
      SELECT ${COLUMNS}, seq, hash FROM audit_logs ${where}
      ORDER BY created_at DESC, id DESC
      LIMIT ${page.limit + 1}`);
    const items = rows.slice(0, page.limit).map((row) => ({
      ...toAuditLog(row),
      chain: row.seq === null || row.hash === null ? null : { seq: Number(row.seq), hash: row.hash },
    }));
    const last = items.at(-1);
    return { items, nextCursor: rows.length > page.limit && last ? encodeCursor(last) : null };
  }
}
