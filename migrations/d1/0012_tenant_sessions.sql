CREATE TABLE `tenant_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`session_hash` text NOT NULL,
	`tenant_id` text NOT NULL,
	`user_id` text NOT NULL,
	`state` text NOT NULL,
	`failed_attempts` integer DEFAULT 0 NOT NULL,
	`expires_at` integer NOT NULL,
	`activated_at` integer,
	`ended_at` integer,
	`ended_reason` text,
	`ip` text,
	`user_agent` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tenant_sessions_session_hash_key` ON `tenant_sessions` (`session_hash`);--> statement-breakpoint
CREATE INDEX `tenant_sessions_tenant_user_idx` ON `tenant_sessions` (`tenant_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `tenant_sessions_expires_at_idx` ON `tenant_sessions` (`expires_at`);--> statement-breakpoint
ALTER TABLE `tenants` ADD `status` text DEFAULT 'active' NOT NULL;--> statement-breakpoint
ALTER TABLE `tenants` ADD `session_timeout_seconds` integer;--> statement-breakpoint
ALTER TABLE `tenants` ADD `mfa_required` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `tenants` ADD `updated_at` integer;