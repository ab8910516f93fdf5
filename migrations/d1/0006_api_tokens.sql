CREATE TABLE `api_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`nome` text NOT NULL,
	`descricao` text,
	`scope` text NOT NULL,
	`permissions` text,
	`allowed_ips` text,
	`rate_limit` text,
	`token_hash` text NOT NULL,
	`token_start` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer,
	`last_used_at` integer,
	`revoked_at` integer,
	`revoked_by` text,
	`revoked_reason` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_token_hash_key` ON `api_tokens` (`token_hash`);--> statement-breakpoint
CREATE INDEX `api_tokens_user_idx` ON `api_tokens` (`user_id`,`id`);--> statement-breakpoint
CREATE INDEX `api_tokens_expires_at_idx` ON `api_tokens` (`expires_at`);--> statement-breakpoint
CREATE INDEX `api_tokens_revoked_at_idx` ON `api_tokens` (`revoked_at`);--> statement-breakpoint
CREATE INDEX `api_tokens_created_at_idx` ON `api_tokens` (`created_at`);