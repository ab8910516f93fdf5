CREATE TABLE `audit_chain_heads` (
	`id` text PRIMARY KEY NOT NULL,
	`seq` integer NOT NULL,
	`hash` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `invites` (
	`id` text PRIMARY KEY NOT NULL,
	`code_hash` text NOT NULL,
	`code_prefix` text NOT NULL,
	`tipo_destino` text NOT NULL,
	`role` text NOT NULL,
	`tenant_id` text NOT NULL,
	`nucleos` text,
	`data_expiracao` integer NOT NULL,
	`estado` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`used_by` text,
	`used_at` integer,
	`used_ip` text,
	`used_user_agent` text,
	`revoked_by` text,
	`revoked_at` integer,
	`revoked_ip` text,
	`revoked_user_agent` text,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invites_code_hash_key` ON `invites` (`code_hash`);--> statement-breakpoint
CREATE INDEX `invites_tenant_idx` ON `invites` (`tenant_id`,`id`);--> statement-breakpoint
CREATE INDEX `invites_created_by_idx` ON `invites` (`created_by`,`id`);--> statement-breakpoint
CREATE INDEX `invites_estado_expiracao_idx` ON `invites` (`estado`,`data_expiracao`);--> statement-breakpoint
ALTER TABLE `audit_logs` ADD `seq` integer;--> statement-breakpoint
ALTER TABLE `audit_logs` ADD `hash` text;--> statement-breakpoint
CREATE UNIQUE INDEX `audit_logs_seq_key` ON `audit_logs` (`seq`);--> statement-breakpoint
CREATE INDEX `audit_logs_unsealed_idx` ON `audit_logs` (`created_at`,`id`) WHERE seq IS NULL;--> statement-breakpoint
ALTER TABLE `tenant_members` ADD `role` text DEFAULT 'usuario' NOT NULL;--> statement-breakpoint
ALTER TABLE `tenant_members` ADD `nucleos` text;