CREATE INDEX `captured_emails_captured_at_idx` ON `captured_emails` (`captured_at`);--> statement-breakpoint
CREATE INDEX `email_deliveries_claimed_at_idx` ON `email_deliveries` (`claimed_at`);--> statement-breakpoint
CREATE INDEX `refresh_tokens_revoked_at_idx` ON `refresh_tokens` (`revoked_at`);