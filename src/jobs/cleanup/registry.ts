import type { CleanupStep } from "./steps";

/**
 * Every step of the cron cleanup, one line each, run fairly (round robin, one batch per step per
 * turn) within the run's budget. A feature registers its own here, e.g. for accounts:
 *
 * @example
 * deleteOlderThan({ name: "refresh_tokens_expired", table: "refresh_tokens", column: "expires_at" }),
 * deleteOlderThan({ name: "refresh_tokens_revoked", table: "refresh_tokens", column: "revoked_at", retentionMs: 7 * DAY_MS }),
 * deleteOlderThan({ name: "password_resets_expired", table: "password_resets", column: "expires_at", retentionMs: DAY_MS }),
 * deleteOlderThan({ name: "verification_tokens_expired", table: "verification_tokens", column: "expires_at", retentionMs: DAY_MS }),
 */
export const CLEANUP_STEPS: readonly CleanupStep[] = [];
