import { sql } from "drizzle-orm";
import { bigint, index, integer, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";

/** PostgreSQL twin of `./sqlite.ts`; keep the two in step (the contract tests run on both). */
const epochMs = (name: string) => bigint(name, { mode: "number" });

export const users = pgTable(
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
    emailVerifiedAt: epochMs("email_verified_at"),
    tokensValidAfter: epochMs("tokens_valid_after"),
    // Bumped by every cut-off (reset, logout everywhere, password change); tokens carry the value
    // they were issued under and are refused once it moved on, whatever the clock says.
    tokenEpoch: integer("token_epoch").notNull().default(0),
    createdAt: epochMs("created_at").notNull(),
    updatedAt: epochMs("updated_at").notNull(),
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
export const tenants = pgTable(
  "tenants",
  {
    id: text("id").primaryKey(),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    createdAt: epochMs("created_at").notNull(),
    status: text("status").notNull().default("active"),
    sessionTimeoutSeconds: integer("session_timeout_seconds"),
    mfaRequired: integer("mfa_required").notNull().default(0),
    updatedAt: epochMs("updated_at"),
  },
  (table) => [uniqueIndex("tenants_slug_key").on(table.slug)],
);

/** Which users belong to which tenants. */
export const tenantMembers = pgTable(
  "tenant_members",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    createdAt: epochMs("created_at").notNull(),
    role: text("role").notNull().default("usuario"),
    nucleos: text("nucleos"),
  },
  (table) => [
    primaryKey({ columns: [table.userId, table.tenantId] }),
    index("tenant_members_tenant_idx").on(table.tenantId),
  ],
);

export const refreshTokens = pgTable(
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
    sessionStartedAt: epochMs("session_started_at").notNull().default(0),
    expiresAt: epochMs("expires_at").notNull(),
    rotatedAt: epochMs("rotated_at"),
    revokedAt: epochMs("revoked_at"),
    revokedReason: text("revoked_reason"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    createdAt: epochMs("created_at").notNull(),
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

/** API tokens: one table per dialect, same columns (see ./sqlite.ts). */
export const apiTokens = pgTable(
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
    createdAt: epochMs("created_at").notNull(),
    expiresAt: epochMs("expires_at"),
    lastUsedAt: epochMs("last_used_at"),
    revokedAt: epochMs("revoked_at"),
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

/** Password resets and e-mail verification tokens share one shape (see ./sqlite.ts). */
function singleUseTokenTable<const Name extends string>(name: Name) {
  return pgTable(
    name,
    {
      id: text("id").primaryKey(),
      userId: text("user_id")
        .notNull()
        .references(() => users.id, { onDelete: "cascade" }),
      email: text("email").notNull(),
      tokenHash: text("token_hash").notNull(),
      expiresAt: epochMs("expires_at").notNull(),
      usedAt: epochMs("used_at"),
      supersededAt: epochMs("superseded_at"),
      createdAt: epochMs("created_at").notNull(),
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

export const auditLogs = pgTable(
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
    createdAt: epochMs("created_at").notNull(),
    seq: bigint("seq", { mode: "number" }),
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
    uniqueIndex("audit_logs_seq_key").on(table.seq),
    index("audit_logs_unsealed_idx").on(table.createdAt, table.id).where(sql`seq IS NULL`),
  ],
);

export const auditChainHeads = pgTable("audit_chain_heads", {
  id: text("id").primaryKey(),
  seq: bigint("seq", { mode: "number" }).notNull(),
  hash: text("hash").notNull(),
  updatedAt: epochMs("updated_at").notNull(),
});

export const invites = pgTable(
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
    dataExpiracao: epochMs("data_expiracao").notNull(),
    estado: text("estado").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: epochMs("created_at").notNull(),
    usedBy: text("used_by"),
    usedAt: epochMs("used_at"),
    usedIp: text("used_ip"),
    usedUserAgent: text("used_user_agent"),
    revokedBy: text("revoked_by"),
    revokedAt: epochMs("revoked_at"),
    revokedIp: text("revoked_ip"),
    revokedUserAgent: text("revoked_user_agent"),
  },
  (table) => [
    uniqueIndex("invites_code_hash_key").on(table.codeHash),
    index("invites_tenant_idx").on(table.tenantId, table.id),
    index("invites_created_by_idx").on(table.createdBy, table.id),
    index("invites_estado_expiracao_idx").on(table.estado, table.dataExpiracao),
  ],
);

export const emailDeliveries = pgTable(
  "email_deliveries",
  {
    id: text("id").primaryKey(),
    claimedAt: epochMs("claimed_at").notNull(),
    sentAt: epochMs("sent_at"),
  },
  // For the cron cleanup of old delivery records (src/jobs/cleanup/registry.ts).
  (table) => [index("email_deliveries_claimed_at_idx").on(table.claimedAt)],
);

export const webhookDeliveries = pgTable(
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
    createdAt: epochMs("created_at").notNull(),
    updatedAt: epochMs("updated_at").notNull(),
    deliveredAt: epochMs("delivered_at"),
  },
  (table) => [
    index("webhook_deliveries_status_created_at_idx").on(table.status, table.createdAt),
    index("webhook_deliveries_created_at_idx").on(table.createdAt),
  ],
);

export const capturedEmails = pgTable(
  "captured_emails",
  {
    id: text("id").primaryKey(),
    fromAddress: text("from_address").notNull(),
    toAddress: text("to_address").notNull(),
    subject: text("subject").notNull(),
    textBody: text("text_body").notNull(),
    htmlBody: text("html_body").notNull(),
    capturedAt: epochMs("captured_at").notNull(),
  },
  (table) => [
    index("captured_emails_to_address_idx").on(table.toAddress, table.capturedAt),
    // For the cron cleanup of old captured e-mail (src/jobs/cleanup/registry.ts).
    index("captured_emails_captured_at_idx").on(table.capturedAt),
  ],
);

export const twoFactor = pgTable("two_factor", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  secretCiphertext: text("secret_ciphertext"),
  secretKeyId: text("secret_key_id"),
  pendingSecretCiphertext: text("pending_secret_ciphertext"),
  pendingSecretKeyId: text("pending_secret_key_id"),
  pendingCreatedAt: epochMs("pending_created_at"),
  enabledAt: epochMs("enabled_at"),
  method: text("method").notNull().default("totp"),
  lastUsedStep: bigint("last_used_step", { mode: "number" }),
  createdAt: epochMs("created_at").notNull(),
  updatedAt: epochMs("updated_at").notNull(),
});

export const recoveryCodes = pgTable(
  "recovery_codes",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    codeHash: text("code_hash").notNull(),
    usedAt: epochMs("used_at"),
    createdAt: epochMs("created_at").notNull(),
  },
  (table) => [
    uniqueIndex("recovery_codes_code_hash_key").on(table.codeHash),
    index("recovery_codes_user_idx").on(table.userId),
  ],
);

export const twoFactorCodes = pgTable(
  "two_factor_codes",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    purpose: text("purpose").notNull(),
    codeHash: text("code_hash").notNull(),
    expiresAt: epochMs("expires_at").notNull(),
    attempts: integer("attempts").notNull().default(0),
    usedAt: epochMs("used_at"),
    supersededAt: epochMs("superseded_at"),
    createdBy: text("created_by"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    createdAt: epochMs("created_at").notNull(),
  },
  (table) => [
    index("two_factor_codes_user_purpose_idx").on(table.userId, table.purpose),
    index("two_factor_codes_expires_at_idx").on(table.expiresAt),
  ],
);

export const pageSessions = pgTable(
  "page_sessions",
  {
    id: text("id").primaryKey(),
    tokenHash: text("token_hash").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    stage: text("stage").notNull(),
    expiresAt: epochMs("expires_at").notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
    createdAt: epochMs("created_at").notNull(),
  },
  (table) => [
    uniqueIndex("page_sessions_token_hash_key").on(table.tokenHash),
    index("page_sessions_user_idx").on(table.userId),
    index("page_sessions_expires_at_idx").on(table.expiresAt),
  ],
);

export const twoFactorLockouts = pgTable(
  "two_factor_lockouts",
  {
    userId: text("user_id")
      .primaryKey()
      .references(() => users.id, { onDelete: "cascade" }),
    lockedUntil: epochMs("locked_until").notNull(),
  },
  (table) => [index("two_factor_lockouts_locked_until_idx").on(table.lockedUntil)],
);

export const tenantSessions = pgTable(
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
    expiresAt: epochMs("expires_at").notNull(),
    activatedAt: epochMs("activated_at"),
    endedAt: epochMs("ended_at"),
    endedReason: text("ended_reason"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    tokenEpoch: integer("token_epoch").notNull().default(0),
    createdAt: epochMs("created_at").notNull(),
  },
  (table) => [
    uniqueIndex("tenant_sessions_session_hash_key").on(table.sessionHash),
    index("tenant_sessions_tenant_user_idx").on(table.tenantId, table.userId),
    index("tenant_sessions_expires_at_idx").on(table.expiresAt),
  ],
);
