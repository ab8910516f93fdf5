import { DAY_MS } from "../../platform/clock";
import type { CleanupStep } from "./steps";
import { deleteOlderThan, updateOlderThan } from "./steps";

/**
 * Revoked refresh tokens are kept this long after revocation, then deleted even if not yet
 * expired. Reuse detection never needs them: a revoked token presented again is refused as
 * "revoked" without touching its family (the family was revoked with it), and once the row is gone
 * it is refused as unknown, the same 401. The week keeps the revoked family readable for whoever
 * investigates a logout, a reset or a reuse incident. Rotated tokens that are not revoked are the
 * evidence reuse detection needs: this step never touches them, they go only once expired.
 */
export const REVOKED_REFRESH_TOKEN_RETENTION_MS = 7 * DAY_MS;

/**
 * Reset and verification tokens are kept this long past expiry so that an old link still gets
 * "this token has expired; request a new one" (410) instead of "not a valid token" (400).
 */
export const SINGLE_USE_TOKEN_RETENTION_MS = 7 * DAY_MS;

/**
 * An e-mail delivery record must outlive every redelivery of its Queue message, or a redelivered
 * e-mail that was already sent would be sent again. 14 days is the longest a Queue can retain a
 * message (`message_retention_period`, default 4 days), so no redelivery or dead-letter replay
 * within the Queue's retention can find the record gone, whatever the queue is configured to.
 */
export const EMAIL_DELIVERY_RETENTION_MS = 14 * DAY_MS;

/**
 * Expired and revoked API tokens stay listed (with their status) for 30 days, so their owner can
 * see what stopped working and why, and the audit rows that name them still resolve to a name.
 * After that the row goes; the token, if ever presented again, is unknown: the same 401.
 */
export const API_TOKEN_RETENTION_MS = 30 * DAY_MS;

/**
 * E-mailed two-factor codes are kept a day past expiry, so a late try still gets "expired" (410)
 * rather than "no code requested" (404), and the row (who asked, from which IP) can be read for a
 * day next to its audit rows, which stay.
 */
export const TWO_FACTOR_CODE_RETENTION_MS = DAY_MS;

/** Captured e-mail (capture transport: development and tests only) is kept for a week. */
export const CAPTURED_EMAIL_RETENTION_MS = 7 * DAY_MS;

/**
 * A webhook delivery row is kept 30 days from its event: longer than a message can live in the
 * webhook queue and then its dead-letter queue (14 days each at most), so a replayed dead letter
 * still finds its row, and long enough for an admin to look into a failure and redeliver it.
 */
export const WEBHOOK_DELIVERY_RETENTION_MS = 30 * DAY_MS;

/**
 * Every step of the cron cleanup, one line each, run fairly (round robin, one batch per step per
 * turn) within the run's budget. A feature registers its own here, e.g.
 * `updateOlderThan({ name: "invites_expired", table: "invites", column: "data_expiracao", where: { estado: "novo" }, set: { estado: "expirado" } })`.
 *
 * Refresh tokens are deleted once expired: the JWT's `exp` is the row's `expires_at` and is
 * checked (without leeway) before the row is read, so an expired token, rotated or not, is refused
 * before reuse detection could look for it. `audit_logs` has no step: it is the security record and
 * product data (an invite's history is served from it), kept until a retention policy is decided;
 * deleting rows would also break its hash chain (src/features/audit/chain-service.ts). Invites are
 * never deleted either (they are what their history is about); past `data_expiracao` a `novo` one
 * becomes `expirado`.
 */
export const CLEANUP_STEPS: readonly CleanupStep[] = [
  deleteOlderThan({ name: "refresh_tokens_expired", table: "refresh_tokens", column: "expires_at" }),
  deleteOlderThan({
    name: "refresh_tokens_revoked",
    table: "refresh_tokens",
    column: "revoked_at",
    retentionMs: REVOKED_REFRESH_TOKEN_RETENTION_MS,
  }),
  deleteOlderThan({
    name: "password_resets_expired",
    table: "password_resets",
    column: "expires_at",
    retentionMs: SINGLE_USE_TOKEN_RETENTION_MS,
  }),
  deleteOlderThan({
    name: "verification_tokens_expired",
    table: "verification_tokens",
    column: "expires_at",
    retentionMs: SINGLE_USE_TOKEN_RETENTION_MS,
  }),
  deleteOlderThan({
    name: "api_tokens_expired",
    table: "api_tokens",
    column: "expires_at",
    retentionMs: API_TOKEN_RETENTION_MS,
  }),
  deleteOlderThan({
    name: "api_tokens_revoked",
    table: "api_tokens",
    column: "revoked_at",
    retentionMs: API_TOKEN_RETENTION_MS,
  }),
  deleteOlderThan({
    name: "two_factor_codes_expired",
    table: "two_factor_codes",
    column: "expires_at",
    retentionMs: TWO_FACTOR_CODE_RETENTION_MS,
  }),
  // A lockout in the past no longer refuses anything.
  deleteOlderThan({
    name: "two_factor_lockouts_past",
    table: "two_factor_lockouts",
    column: "locked_until",
    idColumn: "user_id",
  }),
  // A page session past its expiry never resumes; nothing reads it again.
  deleteOlderThan({ name: "page_sessions_expired", table: "page_sessions", column: "expires_at" }),
  // A tenant session past its expiry is no credential and never resumes (ended ones included: an
  // ended session's row only waits for its expiry, at most a day, then goes the same way).
  deleteOlderThan({ name: "tenant_sessions_expired", table: "tenant_sessions", column: "expires_at" }),
  deleteOlderThan({
    name: "email_deliveries_old",
    table: "email_deliveries",
    column: "claimed_at",
    retentionMs: EMAIL_DELIVERY_RETENTION_MS,
  }),
  deleteOlderThan({
    name: "captured_emails_old",
    table: "captured_emails",
    column: "captured_at",
    retentionMs: CAPTURED_EMAIL_RETENTION_MS,
  }),
  updateOlderThan({
    name: "invites_expired",
    table: "invites",
    column: "data_expiracao",
    where: { estado: "novo" },
    set: { estado: "expirado" },
  }),
  deleteOlderThan({
    name: "webhook_deliveries_old",
    table: "webhook_deliveries",
    column: "created_at",
    retentionMs: WEBHOOK_DELIVERY_RETENTION_MS,
    idColumn: "event_id",
  }),
];
