import type { Statement } from "../../db/database";
import type { Shared } from "../../shared";
import type { AuditResult } from "../audit/audit-log";
import type { AuditStatementOptions } from "../audit/repository";
import type { AuditEntry } from "../audit/service";
import type { InviteEventInput } from "../webhooks/outbox";
import type { Invite } from "./invite";

/** Who did what to which invite, for its audit row. */
export interface InviteAuditDetails {
  actorId: string | null;
  invite?: Pick<Invite, "id" | "tenantId">;
  targetId?: string | null;
  /** For refusals that know the tenant but have no invite. */
  tenantId?: string | null;
  reason?: string;
  metadata?: Record<string, unknown>;
}

/** The audited invite actions: `invite.create`, `invite.validate`, `invite.use`, `invite.revoke`. */
export type InviteAction = "create" | "validate" | "use" | "revoke";

/**
 * What every invite action leaves behind: one audit row (actor, invite, tenant; the request's IP,
 * user agent and id are added by the audit service), and for changes a webhook. Metadata holds
 * names, roles, prefixes and dates only: never the code, whose SHA-256 is not kept here either.
 */
export class InviteEvents {
  constructor(private readonly deps: Pick<Shared, "audit" | "webhooks" | "logger" | "background">) {}

  async audit(action: InviteAction, result: AuditResult, details: InviteAuditDetails): Promise<void> {
    await this.deps.audit.record(this.entry(action, result, details));
  }

  /**
   * The audit row as a statement for the atomic unit of the change it records: the change and its
   * row commit together. `options` as in `AuditService.statement` (a condition, a tenant subquery,
   * once per invite).
   */
  statement(
    action: InviteAction,
    result: AuditResult,
    details: InviteAuditDetails,
    options: AuditStatementOptions = {},
  ): Statement {
    return this.deps.audit.statement(this.entry(action, result, details), options);
  }

  private entry(action: InviteAction, result: AuditResult, details: InviteAuditDetails): AuditEntry {
    return {
      event: `invite.${action}`,
      result,
      reason: details.reason,
      actorId: details.actorId,
      targetType: "invite",
      targetId: details.invite?.id ?? details.targetId ?? null,
      tenantId: details.invite?.tenantId ?? details.tenantId ?? null,
      metadata: details.metadata,
    };
  }

  /**
   * Queues the webhook of a change that is already committed, after the response has gone (the
   * request's `waitUntil` keeps the Worker alive until it is sent). A Queue failure is logged, not
   * thrown: the change stands, and the caller has its answer (for `invite.created`, the only copy of
   * the code).
   */
  announce(event: InviteEventInput): void {
    this.deps.background.defer(`queue the ${event.event} webhook`, async () => {
      try {
        await this.deps.webhooks.enqueue(event);
      } catch (error) {
        this.deps.logger.error("invite webhook not queued", {
          event: event.event,
          inviteId: event.id,
          error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
        });
      }
    });
  }
}
