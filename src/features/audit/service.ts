import type { ClientInfo } from "../../platform/client-info";
import type { Clock } from "../../platform/clock";
import { newId } from "../../platform/ids";
import { redact } from "../../platform/logger";
import type { RandomSource } from "../../platform/random";
import type { AuditResult } from "./audit-log";
import type { AuditLogRepository } from "./repository";

/** What a feature says when it audits; the service adds id, time and request id. */
export interface AuditEntry {
  event: string;
  result: AuditResult;
  reason?: string;
  actorId?: string | null;
  targetType?: string;
  targetId?: string | null;
  tenantId?: string | null;
  client: ClientInfo;
  /** Context worth keeping (ids, counts); secret-looking keys are redacted before storing. */
  metadata?: Record<string, unknown>;
}

/**
 * The one way to audit. Every generate / validate / use / revoke / login event calls `record`, with
 * the request id of the request (or queue message) that caused it.
 *
 * @example await services.audit.record({ event: "auth.login", result: "success", actorId, client });
 */
export class AuditService {
  constructor(
    private readonly repository: AuditLogRepository,
    private readonly clock: Clock,
    private readonly random: RandomSource,
    private readonly requestId: string,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.repository.insert({
      id: newId("audit", this.clock, this.random),
      event: entry.event,
      result: entry.result,
      reason: entry.reason ?? null,
      actorId: entry.actorId ?? null,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      tenantId: entry.tenantId ?? null,
      ip: entry.client.ip,
      userAgent: entry.client.userAgent,
      requestId: this.requestId,
      // Defence in depth: callers pass ids and counts, but a key that names a secret never lands.
      metadata: redact(entry.metadata ?? {}) as Record<string, unknown>,
      createdAt: this.clock.now(),
    });
  }
}
