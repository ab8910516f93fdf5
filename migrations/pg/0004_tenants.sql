ALTER TABLE "user_institutions" RENAME TO "tenant_members";--> statement-breakpoint
ALTER TABLE "institutions" RENAME TO "tenants";--> statement-breakpoint
ALTER TABLE "tenants" RENAME COLUMN "code" TO "slug";--> statement-breakpoint
ALTER TABLE "tenant_members" RENAME COLUMN "institution_id" TO "tenant_id";--> statement-breakpoint
ALTER TABLE "tenant_members" DROP CONSTRAINT "user_institutions_user_id_users_id_fk";
--> statement-breakpoint
ALTER TABLE "tenant_members" DROP CONSTRAINT "user_institutions_institution_id_institutions_id_fk";
--> statement-breakpoint
DROP INDEX "institutions_code_key";--> statement-breakpoint
DROP INDEX "user_institutions_institution_idx";--> statement-breakpoint
ALTER TABLE "tenant_members" DROP CONSTRAINT "user_institutions_user_id_institution_id_pk";--> statement-breakpoint
ALTER TABLE "tenant_members" ADD CONSTRAINT "tenant_members_user_id_tenant_id_pk" PRIMARY KEY("user_id","tenant_id");--> statement-breakpoint
ALTER TABLE "tenant_members" ADD CONSTRAINT "tenant_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenant_members" ADD CONSTRAINT "tenant_members_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "tenants_slug_key" ON "tenants" USING btree ("slug");--> statement-breakpoint
CREATE INDEX "tenant_members_tenant_idx" ON "tenant_members" USING btree ("tenant_id");