import type { z } from "@hono/zod-openapi";
import type { ChainReport } from "./chain-service";
import { displaySafe } from "./display";
import type { AuditPage, ChainedAuditLog } from "./repository";
import type { AuditEntrySchema, AuditPageSchema, ChainReportSchema } from "./schemas";

/** An audit row on the wire: snake_case, the user agent escaped and capped. */
export function auditEntryView(log: ChainedAuditLog): z.infer<typeof AuditEntrySchema> {
  return {
    id: log.id,
    action: log.event,
    result: log.result,
    reason: log.reason,
    actor_id: log.actorId,
    target_type: log.targetType,
    target_id: log.targetId,
    tenant_id: log.tenantId,
    ip: log.ip,
    user_agent: displaySafe(log.userAgent),
    request_id: log.requestId,
    metadata: log.metadata,
    created_at: log.createdAt.toISOString(),
    chain: log.chain,
  };
}

export function auditPageView(page: AuditPage): z.infer<typeof AuditPageSchema> {
  return { items: page.items.map(auditEntryView), next_cursor: page.nextCursor };
}

export function chainReportView(report: ChainReport): z.infer<typeof ChainReportSchema> {
  return {
    valid: report.valid,
    sealed_now: report.sealedNow,
    head: report.head,
    unsealed: report.unsealed,
    checked: { from_seq: report.checked.fromSeq, to_seq: report.checked.toSeq },
    first_broken: report.firstBroken,
    next_after_seq: report.nextAfterSeq,
  };
}
