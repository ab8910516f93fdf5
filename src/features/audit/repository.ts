import { sql } from "drizzle-orm";
import type { Database } from "../../db";
import type { AuditLog, AuditResult } from "./audit-log";

interface AuditRow {
  id: string;
  event: string;
  result: string;
  reason: string | null;
  actor_id: string | null;
  target_type: string | null;
  target_id: string | null;
  tenant_id: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  client_request_id: string | null;
  metadata: string;
  created_at: number;
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

/** Audit rows on D1 or PostgreSQL. Append-only: nothing here updates or deletes a row. */
export class AuditLogRepository {
  constructor(private readonly db: Database) {}

  async insert(entry: AuditLog): Promise<void> {
    await this.db.run(sql`
      INSERT INTO audit_logs (${COLUMNS})
      VALUES (${entry.id}, ${entry.event}, ${entry.result}, ${entry.reason}, ${entry.actorId}, ${entry.targetType},
              ${entry.targetId}, ${entry.tenantId}, ${entry.ip}, ${entry.userAgent}, ${entry.requestId},
              ${entry.clientRequestId}, ${JSON.stringify(entry.metadata)}, ${entry.createdAt.getTime()})`);
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
}
