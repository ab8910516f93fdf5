CREATE TABLE `two_factor_lockouts` (
	`user_id` text PRIMARY KEY NOT NULL,
	`locked_until` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `two_factor_lockouts_locked_until_idx` ON `two_factor_lockouts` (`locked_until`);