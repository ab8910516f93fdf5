CREATE TABLE `page_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`user_id` text NOT NULL,
	`stage` text NOT NULL,
	`expires_at` integer NOT NULL,
	`ip` text,
	`user_agent` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `page_sessions_token_hash_key` ON `page_sessions` (`token_hash`);--> statement-breakpoint
CREATE INDEX `page_sessions_user_idx` ON `page_sessions` (`user_id`);--> statement-breakpoint
CREATE INDEX `page_sessions_expires_at_idx` ON `page_sessions` (`expires_at`);