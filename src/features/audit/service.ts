import type { Statement } from "../../db/database";
import type { ClientInfo } from "../../platform/client-info";
import type { Clock } from "../../platform/clock";
import { newId } from "../../platform/ids";
import { redact } from "../../platform/logger";
import type { RandomSource } from "../../platform/random";
import type { AuditLog, AuditResult } from "./audit-log";
import type { AuditLogRepository, AuditStatementOptions } from "./repository";

/** What a feature says when it audits; the service adds id, time, request id and the client. */
export interface AuditEntry {
  event: string;
  result: AuditResult;
  reason?: string;
  actorId?: string | null;
  targetType?: string;
  targetId?: string | null;
  tenantId?: string | null;
  /** Only for events the work's own client did not cause (the lazy bootstrap of the admin). */
  client?: ClientInfo;
  /** Context worth keeping (ids, counts); secret-looking keys are redacted before storing. */
  metadata?: Record<string, unknown>;
}

/** Optional parts of a user event. */
export interface UserEventDetails {
  reason?: string;
  metadata?: Record<string, unknown>;
  /** Who acted, when not the user themselves (an admin acting on a user). */
  actorId?: string | null;
  tenantId?: string | null;
}

/** Where the audited work came from: the request (or queue message, or cron run) and its client. */
export interface AuditContext {
  /** The service's own request id. */
  requestId: string;
  /** The client's `X-Request-Id`, stored beside it (never instead of it). */
  clientRequestId?: string;
  client: ClientInfo;
}

/**
 * The one way to audit. Every generate / validate / use / revoke / login event goes through
 * `record` or, for the common "something happened to this user" shape, `userEvent`. The service
 * knows the request id and the client (IP, user agent) of the work it was built for, so callers
 * never pass them.
 *
 * @example await services.audit.userEvent("auth.login", "success", user);
 * @example await audit.userEvent("auth.login", "failure", null, { reason: "unknown_user" });
 */
export class AuditService {
  constructor(
    private readonly repository: AuditLogRepository,
    private readonly clock: Clock,
    private readonly random: RandomSource,
    private readonly context: AuditContext,
  ) {}

  /** The client of the audited work (for records that keep it too, such as sessions). */
  get client(): ClientInfo {
    return this.context.client;
  }

  async record(entry: AuditEntry): Promise<void> {
    await this.repository.insert(this.row(entry));
  }

  /**
   * The audit row of `entry` as a statement for `db.atomic`, so it commits with the change it
   * records (or not at all), guarded by `options` (see `AuditStatementOptions`).
   *
   * @example await invites.revoke(id, record, [audit.statement(entry, { onlyIf: invites.revokedBy(id, by, at) })]);
   */
  statement(entry: AuditEntry, options: AuditStatementOptions = {}): Statement {
    return this.repository.insertStatement(this.row(entry), options);
  }

  private row(entry: AuditEntry): AuditLog {
    return {
      id: newId("audit", this.clock, this.random),
      event: entry.event,
      result: entry.result,
      reason: entry.reason ?? null,
      actorId: entry.actorId ?? null,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      tenantId: entry.tenantId ?? null,
      ip: (entry.client ?? this.context.client).ip,
      userAgent: (entry.client ?? this.context.client).userAgent,
      requestId: this.context.requestId,
      clientRequestId: this.context.clientRequestId ?? null,
      // Defence in depth: callers pass ids and counts, but a key that names a secret never lands.
      metadata: redact(entry.metadata ?? {}) as Record<string, unknown>,
      createdAt: this.clock.now(),
    };
  }

  /**
   * An event about one user (or about nobody known, with `null`): the user is the target and, unless
   * `details.actorId` says otherwise, the actor.
   */
  userEvent(
    event: string,
    result: AuditResult,
    user: { id: string } | string | null | undefined,
    details: UserEventDetails = {},
  ): Promise<void> {
    return this.record(userEntry(event, result, user, details));
  }

  /**
   * `userEvent` as a statement for `db.atomic`: the row commits with the change it records, in the
   * same round trip (see `statement` for `options`).
   */
  userEventStatement(
    event: string,
    result: AuditResult,
    user: { id: string } | string | null | undefined,
    details: UserEventDetails = {},
    options: AuditStatementOptions = {},
  ): Statement {
    return this.statement(userEntry(event, result, user, details), options);
  }
}

/** The entry of an event about one user: the target and, unless `details.actorId` says otherwise, the actor. */
function userEntry(
  event: string,
  result: AuditResult,
  user: { id: string } | string | null | undefined,
  details: UserEventDetails,
): AuditEntry {
  const userId = typeof user === "string" ? user : (user?.id ?? null);
  return {
    event,
    result,
    reason: details.reason,
    actorId: details.actorId === undefined ? userId : details.actorId,
    targetType: userId ? "user" : undefined,
    targetId: userId,
    tenantId: details.tenantId,
    metadata: details.metadata,
  };
}
