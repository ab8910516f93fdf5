import { bigint, index, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";

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
    createdAt: epochMs("created_at").notNull(),
    updatedAt: epochMs("updated_at").notNull(),
  },
  (table) => [
    uniqueIndex("users_username_normalized_key").on(table.usernameNormalized),
    uniqueIndex("users_email_normalized_key").on(table.emailNormalized),
    index("users_created_at_idx").on(table.createdAt),
  ],
);

export const emailDeliveries = pgTable("email_deliveries", {
  id: text("id").primaryKey(),
  claimedAt: epochMs("claimed_at").notNull(),
  sentAt: epochMs("sent_at"),
});

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
  (table) => [index("captured_emails_to_address_idx").on(table.toAddress, table.capturedAt)],
);
