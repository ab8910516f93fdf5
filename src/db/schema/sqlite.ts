import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * D1 (SQLite) schema. `./pg.ts` holds the same tables for PostgreSQL: same table and column names,
 * same meaning, so one repository's SQL runs on both. Times are integer epoch milliseconds (bigint
 * in PostgreSQL); flags are nullable timestamps; case-insensitive uniqueness uses `*_normalized`
 * columns the app fills, rather than a dialect-specific collation.
 */
export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    username: text("username").notNull(),
    usernameNormalized: text("username_normalized").notNull(),
    email: text("email").notNull(),
    emailNormalized: text("email_normalized").notNull(),
    passwordHash: text("password_hash").notNull(),
    name: text("name").notNull(),
    role: text("role").notNull(),
    status: text("status").notNull(),
    emailVerifiedAt: integer("email_verified_at"),
    // Access tokens issued before this instant are refused by this service (reset, logout of all).
    tokensValidAfter: integer("tokens_valid_after"),
    // Bumped by every cut-off (reset, logout everywhere, password change); tokens carry the value
    // they were issued under and are refused once it moved on, whatever the clock says.
    tokenEpoch: integer("token_epoch").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (table) => [
    uniqueIndex("users_username_normalized_key").on(table.usernameNormalized),
    uniqueIndex("users_email_normalized_key").on(table.emailNormalized),
    index("users_created_at_idx").on(table.createdAt),
  ],
);

/**
 * Tenants: the organisations invites (`organizacao`) and the JWT `institutions` claim name (seed 002
 * calls them institutions, seed 004 tenants). Ids of tenants made before the rename keep `ins_`.
 */
export const tenants = sqliteTable(
  "tenants",
  {
    id: text("id").primaryKey(),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    createdAt: integer("created_at").notNull(),
    // `active` or `disabled`: a disabled tenant's agents cannot sign in and its sessions stop working.
    status: text("status").notNull().default("active"),
    // Null: the operator's TENANT_SESSION_TIMEOUT, read when a session starts.
    sessionTimeoutSeconds: integer("session_timeout_seconds"),
    // 1: every agent proves a second factor (an e-mailed code when they have no 2FA of their own).
    mfaRequired: integer("mfa_required").notNull().default(0),
    updatedAt: integer("updated_at"),
  },
  (table) => [uniqueIndex("tenants_slug_key").on(table.slug)],
);

/**
 * Which users belong to which tenants, with their role in that tenant (`admin` > `gestor` >
 * `usuario`, independent of the global role) and the `nucleos` (JSON array) an invite gave them.
 */
export const tenantMembers = sqliteTable(
  "tenant_members",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    createdAt: integer("created_at").notNull(),
    role: text("role").notNull().default("usuario"),
    nucleos: text("nucleos"),
  },
  (table) => [
    primaryKey({ columns: [table.userId, table.tenantId] }),
    index("tenant_members_tenant_idx").on(table.tenantId),
  ],
);

/**
 * One row per refresh token ever issued. A family is one login's chain of rotations (its id is the
 * first token's id); `replaced_by_id` links a rotated token to its child.
 */
export const refreshTokens = sqliteTable(
  "refresh_tokens",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    familyId: text("family_id").notNull(),
    parentId: text("parent_id"),
    replacedById: text("replaced_by_id"),
    // When the session (family) began: every token of a family expires by then + SESSION_MAX_LIFETIME.
    sessionStartedAt: integer("session_started_at").notNull().default(0),
    expiresAt: integer("expires_at").notNull(),
    rotatedAt: integer("rotated_at"),
    revokedAt: integer("revoked_at"),
    revokedReason: text("revoked_reason"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    createdAt: integer("created_at").notNull(),
  },
  (table) => [
    uniqueIndex("refresh_tokens_token_hash_key").on(table.tokenHash),
    index("refresh_tokens_family_idx").on(table.familyId),
    index("refresh_tokens_user_idx").on(table.userId),
    index("refresh_tokens_expires_at_idx").on(table.expiresAt),
    // For the cron cleanup of long-revoked tokens (src/jobs/cleanup/registry.ts). Partial: live
    // tokens (nearly all rows) are not in it, so a planner never takes it for `revoked_at IS NULL`
    // (it did for logout's family revocation: every live token read) and inserts skip it.
    index("refresh_tokens_revoked_at_idx").on(table.revokedAt).where(sql`revoked_at IS NOT NULL`),
  ],
);

/**
 * API tokens (seeds 001, 003): only the SHA-256 of the token is stored, with `token_start` (the
 * prefix and first random characters) to tell tokens apart. `permissions` and `allowed_ips` are JSON
 * arrays (operations, CIDRs) or null for "no restriction"; `rate_limit` is `<requests>/<period>` or
 * null; `expires_at` null means never.
 */
export const apiTokens = sqliteTable(
  "api_tokens",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    nome: text("nome").notNull(),
    descricao: text("descricao"),
    scope: text("scope").notNull(),
    permissions: text("permissions"),
    allowedIps: text("allowed_ips"),
    rateLimit: text("rate_limit"),
    tokenHash: text("token_hash").notNull(),
    tokenStart: text("token_start").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at"),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
    revokedBy: text("revoked_by"),
    revokedReason: text("revoked_reason"),
  },
  (table) => [
    // Every API-token request is one read on this index.
    uniqueIndex("api_tokens_token_hash_key").on(table.tokenHash),
    // A user's tokens, newest first, paged by id.
    index("api_tokens_user_idx").on(table.userId, table.id),
    // For the cron cleanup of expired and long-revoked tokens.
    index("api_tokens_expires_at_idx").on(table.expiresAt),
    // Partial, like refresh_tokens_revoked_at_idx: only the cleanup's revoked rows.
    index("api_tokens_revoked_at_idx").on(table.revokedAt).where(sql`revoked_at IS NOT NULL`),
    index("api_tokens_created_at_idx").on(table.createdAt),
  ],
);

/**
 * Password resets and e-mail verification tokens: the same single-use shape (hash only, bound to
 * the address it was sent to, used or superseded at most once), one table each.
 */
function singleUseTokenTable<const Name extends string>(name: Name) {
  return sqliteTable(
    name,
    {
      id: text("id").primaryKey(),
      userId: text("user_id")
        .notNull()
        .references(() => users.id, { onDelete: "cascade" }),
      email: text("email").notNull(),
      tokenHash: text("token_hash").notNull(),
      expiresAt: integer("expires_at").notNull(),
      usedAt: integer("used_at"),
      supersededAt: integer("superseded_at"),
      createdAt: integer("created_at").notNull(),
    },
    (table) => [
      uniqueIndex(`${name}_token_hash_key`).on(table.tokenHash),
      index(`${name}_user_idx`).on(table.userId),
      index(`${name}_expires_at_idx`).on(table.expiresAt),
    ],
  );
}

export const passwordResets = singleUseTokenTable("password_resets");
export const verificationTokens = singleUseTokenTable("verification_tokens");

/** Who did what to whom, from where, and how it ended. No foreign keys: audit outlives its subjects. */
export const auditLogs = sqliteTable(
  "audit_logs",
  {
    id: text("id").primaryKey(),
    event: text("event").notNull(),
    result: text("result").notNull(),
    reason: text("reason"),
    actorId: text("actor_id"),
    targetType: text("target_type"),
    targetId: text("target_id"),
    tenantId: text("tenant_id"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    requestId: text("request_id"),
    // The X-Request-Id the client sent: kept beside the service's own, never instead of it.
    clientRequestId: text("client_request_id"),
    metadata: text("metadata").notNull(),
    createdAt: integer("created_at").notNull(),
    // The hash chain (src/features/audit/chain.ts): null until the sealer links the row.
    seq: integer("seq"),
    hash: text("hash"),
  },
  (table) => [
    // `event` before `created_at`: the once-per-target check of single-use changes (invite used or
    // revoked) is an equality on all three, so it reads one target's rows, never every row of
    // the event (the planners chose audit_logs_event_idx when the target index had no `event`).
    index("audit_logs_target_idx").on(table.targetType, table.targetId, table.event, table.createdAt),
    index("audit_logs_actor_idx").on(table.actorId, table.createdAt),
    index("audit_logs_event_idx").on(table.event, table.createdAt),
    index("audit_logs_created_at_idx").on(table.createdAt),
    // One row per chain position: two sealers can never fork the chain.
    uniqueIndex("audit_logs_seq_key").on(table.seq),
    // The sealer's queue: rows not yet chained, oldest first.
    index("audit_logs_unsealed_idx").on(table.createdAt, table.id).where(sql`seq IS NULL`),
  ],
);

/**
 * The head of the audit hash chain: the last sealed position and its hash. Sealers move it with a
 * compare-and-swap, so only one of two concurrent sealers links rows; it is also the anchor that
 * shows rows deleted from the end of the chain.
 */
export const auditChainHeads = sqliteTable("audit_chain_heads", {
  id: text("id").primaryKey(),
  seq: integer("seq").notNull(),
  hash: text("hash").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/**
 * Invites (`TokenAcesso`, seeds 000 and 001). The code is stored only as its SHA-256 (`code_hash`)
 * and a short visible `code_prefix`. `role` is the tenant role `tipo_destino` maps to, fixed at
 * creation. `estado` is `novo`, `usado`, `revogado` or `expirado` (set by the cron once
 * `data_expiracao` passes; readers treat a `novo` row past it as expired already).
 */
export const invites = sqliteTable(
  "invites",
  {
    id: text("id").primaryKey(),
    codeHash: text("code_hash").notNull(),
    codePrefix: text("code_prefix").notNull(),
    tipoDestino: text("tipo_destino").notNull(),
    role: text("role").notNull(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    nucleos: text("nucleos"),
    dataExpiracao: integer("data_expiracao").notNull(),
    estado: text("estado").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at").notNull(),
    usedBy: text("used_by"),
    usedAt: integer("used_at"),
    usedIp: text("used_ip"),
    usedUserAgent: text("used_user_agent"),
    revokedBy: text("revoked_by"),
    revokedAt: integer("revoked_at"),
    revokedIp: text("revoked_ip"),
    revokedUserAgent: text("revoked_user_agent"),
  },
  (table) => [
    // Validation, use and revocation by code are one read on this index.
    uniqueIndex("invites_code_hash_key").on(table.codeHash),
    // Listings, newest first, paged by id: per tenant and per creator.
    index("invites_tenant_idx").on(table.tenantId, table.id),
    index("invites_created_by_idx").on(table.createdBy, table.id),
    // For the cron step that marks invites past data_expiracao as expired.
    index("invites_estado_expiracao_idx").on(table.estado, table.dataExpiracao),
  ],
);

/**
 * One row per e-mail message id the consumer has started or finished sending: a redelivered Queue
 * message whose id has `sent_at` is acknowledged without sending again. `claimed_at` is a lease,
 * so a consumer that died mid-send does not block the message for ever.
 */
export const emailDeliveries = sqliteTable(
  "email_deliveries",
  {
    id: text("id").primaryKey(),
    claimedAt: integer("claimed_at").notNull(),
    sentAt: integer("sent_at"),
  },
  // For the cron cleanup of old delivery records (src/jobs/cleanup/registry.ts).
  (table) => [index("email_deliveries_claimed_at_idx").on(table.claimedAt)],
);

/**
 * The delivery log of outgoing webhooks: one row per event id, its sealed payload (so a failed
 * event can be redelivered from the row alone) and how its attempts went. `status` is `pending`
 * (queued or retrying), `delivered` (a 2xx; final) or `failed` (dead-lettered; back to `pending`
 * only through a redelivery). `url` is the receiver's origin and path, never its query string.
 */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    eventId: text("event_id").primaryKey(),
    event: text("event").notNull(),
    subjectId: text("subject_id").notNull(),
    payloadSealed: text("payload_sealed").notNull(),
    url: text("url").notNull(),
    status: text("status").notNull(),
    attempts: integer("attempts").notNull(),
    lastStatus: integer("last_status"),
    lastError: text("last_error"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    deliveredAt: integer("delivered_at"),
  },
  (table) => [
    // The admin listing, filtered by status, newest first.
    index("webhook_deliveries_status_created_at_idx").on(table.status, table.createdAt),
    // The unfiltered listing, and a cleanup of old rows.
    index("webhook_deliveries_created_at_idx").on(table.createdAt),
  ],
);

/** E-mails kept by the capture transport (development and tests only; refused in production). */
export const capturedEmails = sqliteTable(
  "captured_emails",
  {
    id: text("id").primaryKey(),
    fromAddress: text("from_address").notNull(),
    toAddress: text("to_address").notNull(),
    subject: text("subject").notNull(),
    textBody: text("text_body").notNull(),
    htmlBody: text("html_body").notNull(),
    capturedAt: integer("captured_at").notNull(),
  },
  (table) => [
    index("captured_emails_to_address_idx").on(table.toAddress, table.capturedAt),
    // For the cron cleanup of old captured e-mail (src/jobs/cleanup/registry.ts).
    index("captured_emails_captured_at_idx").on(table.capturedAt),
  ],
);

/**
 * A user's second factor: the active TOTP secret and a pending one awaiting its first code, both
 * sealed by `SecretBox` (ciphertext plus the id of the key that sealed it, so keys can rotate).
 * `enabled_at` null means two-factor is off. `last_used_step` is the last accepted TOTP time step:
 * a code of that step or an earlier one is refused (replay).
 */
export const twoFactor = sqliteTable("two_factor", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  secretCiphertext: text("secret_ciphertext"),
  secretKeyId: text("secret_key_id"),
  pendingSecretCiphertext: text("pending_secret_ciphertext"),
  pendingSecretKeyId: text("pending_secret_key_id"),
  pendingCreatedAt: integer("pending_created_at"),
  enabledAt: integer("enabled_at"),
  method: text("method").notNull().default("totp"),
  lastUsedStep: integer("last_used_step"),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/** Single-use recovery codes, SHA-256 hashes only; a new set replaces the old one. */
export const recoveryCodes = sqliteTable(
  "recovery_codes",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    codeHash: text("code_hash").notNull(),
    usedAt: integer("used_at"),
    createdAt: integer("created_at").notNull(),
  },
  (table) => [
    uniqueIndex("recovery_codes_code_hash_key").on(table.codeHash),
    index("recovery_codes_user_idx").on(table.userId),
  ],
);

/**
 * Short numeric codes sent by e-mail (SHA-256 hashes only). Only a user's latest code of a purpose
 * counts; it dies when used, superseded, expired or tried wrong `MAX_CODE_ATTEMPTS` times.
 * `created_by` is who asked (an admin may ask on a user's behalf); no foreign key, like audit rows,
 * so the record of who asked outlives that account.
 */
export const twoFactorCodes = sqliteTable(
  "two_factor_codes",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    purpose: text("purpose").notNull(),
    codeHash: text("code_hash").notNull(),
    expiresAt: integer("expires_at").notNull(),
    attempts: integer("attempts").notNull().default(0),
    usedAt: integer("used_at"),
    supersededAt: integer("superseded_at"),
    createdBy: text("created_by"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    createdAt: integer("created_at").notNull(),
  },
  (table) => [
    index("two_factor_codes_user_purpose_idx").on(table.userId, table.purpose),
    index("two_factor_codes_expires_at_idx").on(table.expiresAt),
  ],
);

/**
 * Cookie sessions of the server-rendered pages (the 2FA activation page; the admin console later).
 * Only the SHA-256 of the cookie's token is stored. `stage` is `second_factor` between a right
 * password and the second factor, then `signed_in`; a row past `expires_at` is dead and the cron
 * cleanup deletes it.
 */
export const pageSessions = sqliteTable(
  "page_sessions",
  {
    id: text("id").primaryKey(),
    tokenHash: text("token_hash").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    stage: text("stage").notNull(),
    expiresAt: integer("expires_at").notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
    createdAt: integer("created_at").notNull(),
  },
  (table) => [
    uniqueIndex("page_sessions_token_hash_key").on(table.tokenHash),
    index("page_sessions_user_idx").on(table.userId),
    index("page_sessions_expires_at_idx").on(table.expiresAt),
  ],
);

/**
 * Users whose wrong second factors used up their budget (the `two_factor_user` rate-limit policy,
 * counted in the RateLimiter Durable Object): no code of theirs is compared until `locked_until`.
 * Written only when the budget runs out, so a right code costs one primary-key read, not a
 * Durable Object call. The cron cleanup deletes rows once past.
 */
export const twoFactorLockouts = sqliteTable(
  "two_factor_lockouts",
  {
    userId: text("user_id")
      .primaryKey()
      .references(() => users.id, { onDelete: "cascade" }),
    lockedUntil: integer("locked_until").notNull(),
  },
  (table) => [index("two_factor_lockouts_locked_until_idx").on(table.lockedUntil)],
);

/**
 * Sessions of agents signed in to one tenant (`POST /tenants/{slug}/login`). The session id the
 * client holds is stored only as its SHA-256 (`session_hash`); `id` is the public id that tenant
 * access tokens carry as `sid`. `state`: `pending` (waiting for the second factor, 5 minutes,
 * `failed_attempts` up to 5), `active`, or `ended` (`ended_reason`).
 */
export const tenantSessions = sqliteTable(
  "tenant_sessions",
  {
    id: text("id").primaryKey(),
    sessionHash: text("session_hash").notNull(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    state: text("state").notNull(),
    failedAttempts: integer("failed_attempts").notNull().default(0),
    expiresAt: integer("expires_at").notNull(),
    activatedAt: integer("activated_at"),
    endedAt: integer("ended_at"),
    endedReason: text("ended_reason"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    tokenEpoch: integer("token_epoch").notNull().default(0),
    createdAt: integer("created_at").notNull(),
  },
  (table) => [
    uniqueIndex("tenant_sessions_session_hash_key").on(table.sessionHash),
    index("tenant_sessions_tenant_user_idx").on(table.tenantId, table.userId),
    index("tenant_sessions_expires_at_idx").on(table.expiresAt),
  ],
);
