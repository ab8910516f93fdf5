DROP INDEX "api_tokens_revoked_at_idx";--> statement-breakpoint
DROP INDEX "audit_logs_target_idx";--> statement-breakpoint
DROP INDEX "refresh_tokens_revoked_at_idx";--> statement-breakpoint
CREATE INDEX "api_tokens_revoked_at_idx" ON "api_tokens" USING btree ("revoked_at") WHERE revoked_at IS NOT NULL;--> statement-breakpoint
CREATE INDEX "audit_logs_target_idx" ON "audit_logs" USING btree ("target_type","target_id","event","created_at");--> statement-breakpoint
CREATE INDEX "refresh_tokens_revoked_at_idx" ON "refresh_tokens" USING btree ("revoked_at") WHERE revoked_at IS NOT NULL;