/** How an audited event ended. */
export type AuditResult = "success" | "failure";

/** One audit row as stored and read back. */
export interface AuditLog {
  id: string;
  /** Dotted event name, e.g. `auth.login`, `auth.refresh.reuse_detected`. */
  event: string;
  result: AuditResult;
  /** Machine-readable why (failures and revocations), e.g. `bad_password`; never a secret. */
  reason: string | null;
  actorId: string | null;
  targetType: string | null;
  targetId: string | null;
  tenantId: string | null;
  ip: string | null;
  userAgent: string | null;
  /** The service's own request id: what a client cannot choose. */
  requestId: string | null;
  /** The `X-Request-Id` the client sent, if any: its correlation, not ours. */
  clientRequestId: string | null;
  metadata: Record<string, unknown>;
  createdAt: Date;
}
