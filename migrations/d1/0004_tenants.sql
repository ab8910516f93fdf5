ALTER TABLE `user_institutions` RENAME TO `tenant_members`;--> statement-breakpoint
ALTER TABLE `institutions` RENAME TO `tenants`;--> statement-breakpoint
ALTER TABLE `tenant_members` RENAME COLUMN "institution_id" TO "tenant_id";--> statement-breakpoint
ALTER TABLE `tenants` RENAME COLUMN "code" TO "slug";--> statement-breakpoint
CREATE TABLE `__new_tenant_members` (
	`user_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `tenant_id`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_tenant_members`("user_id", "tenant_id", "created_at") SELECT "user_id", "tenant_id", "created_at" FROM `tenant_members`;--> statement-breakpoint
DROP TABLE `tenant_members`;--> statement-breakpoint
ALTER TABLE `__new_tenant_members` RENAME TO `tenant_members`;--> statement-breakpoint
CREATE INDEX `tenant_members_tenant_idx` ON `tenant_members` (`tenant_id`);--> statement-breakpoint
DROP INDEX `institutions_code_key`;--> statement-breakpoint
CREATE UNIQUE INDEX `tenants_slug_key` ON `tenants` (`slug`);