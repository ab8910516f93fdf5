ALTER TABLE `audit_logs` ADD `client_request_id` text;--> statement-breakpoint
ALTER TABLE `refresh_tokens` ADD `session_started_at` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `token_epoch` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Rows from before the column: the oldest surviving member of the family is the best record of its start.
UPDATE refresh_tokens SET session_started_at = (SELECT MIN(f.created_at) FROM refresh_tokens AS f WHERE f.family_id = refresh_tokens.family_id);
