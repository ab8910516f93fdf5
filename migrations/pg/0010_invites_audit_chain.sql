CREATE TABLE "audit_chain_heads" (
	"id" text PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "invites" (
	"id" text PRIMARY KEY NOT NULL,
	"code_hash" text NOT NULL,
	"code_prefix" text NOT NULL,
	"tipo_destino" text NOT NULL,
	"role" text NOT NULL,
	"tenant_id" text NOT NULL,
	"nucleos" text,
	"data_expiracao" bigint NOT NULL,
	"estado" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" bigint NOT NULL,
	"used_by" text,
	"used_at" bigint,
	"used_ip" text,
	"used_user_agent" text,
	"revoked_by" text,
	"revoked_at" bigint,
	"revoked_ip" text,
	"revoked_user_agent" text
);
--> statement-breakpoint
ALTER TABLE "audit_logs" ADD COLUMN "seq" bigint;--> statement-breakpoint
ALTER TABLE "audit_logs" ADD COLUMN "hash" text;--> statement-breakpoint
ALTER TABLE "tenant_members" ADD COLUMN "role" text DEFAULT 'usuario' NOT NULL;--> statement-breakpoint
ALTER TABLE "tenant_members" ADD COLUMN "nucleos" text;--> statement-breakpoint
ALTER TABLE "invites" ADD CONSTRAINT "invites_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "invites_code_hash_key" ON "invites" USING btree ("code_hash");--> statement-breakpoint
CREATE INDEX "invites_tenant_idx" ON "invites" USING btree ("tenant_id","id");--> statement-breakpoint
CREATE INDEX "invites_created_by_idx" ON "invites" USING btree ("created_by","id");--> statement-breakpoint
CREATE INDEX "invites_estado_expiracao_idx" ON "invites" USING btree ("estado","data_expiracao");--> statement-breakpoint
CREATE UNIQUE INDEX "audit_logs_seq_key" ON "audit_logs" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "audit_logs_unsealed_idx" ON "audit_logs" USING btree ("created_at","id") WHERE seq IS NULL;