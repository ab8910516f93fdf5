import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

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
 * One row per e-mail message id the consumer has started or finished sending: a redelivered Queue
 * message whose id has `sent_at` is acknowledged without sending again. `claimed_at` is a lease,
 * so a consumer that died mid-send does not block the message for ever.
 */
export const emailDeliveries = sqliteTable("email_deliveries", {
  id: text("id").primaryKey(),
  claimedAt: integer("claimed_at").notNull(),
  sentAt: integer("sent_at"),
});

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
  (table) => [index("captured_emails_to_address_idx").on(table.toAddress, table.capturedAt)],
);
