CREATE TABLE "tenant_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"session_hash" text NOT NULL,
	"tenant_id" text NOT NULL,
	"user_id" text NOT NULL,
	"state" text NOT NULL,
	"failed_attempts" integer DEFAULT 0 NOT NULL,
	"expires_at" bigint NOT NULL,
	"activated_at" bigint,
	"ended_at" bigint,
	"ended_reason" text,
	"ip" text,
	"user_agent" text,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "status" text DEFAULT 'active' NOT NULL;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "session_timeout_seconds" integer;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "mfa_required" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "updated_at" bigint;--> statement-breakpoint
ALTER TABLE "tenant_sessions" ADD CONSTRAINT "tenant_sessions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenant_sessions" ADD CONSTRAINT "tenant_sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "tenant_sessions_session_hash_key" ON "tenant_sessions" USING btree ("session_hash");--> statement-breakpoint
CREATE INDEX "tenant_sessions_tenant_user_idx" ON "tenant_sessions" USING btree ("tenant_id","user_id");--> statement-breakpoint
CREATE INDEX "tenant_sessions_expires_at_idx" ON "tenant_sessions" USING btree ("expires_at");