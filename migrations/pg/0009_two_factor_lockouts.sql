CREATE TABLE "two_factor_lockouts" (
	"user_id" text PRIMARY KEY NOT NULL,
	"locked_until" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "two_factor_lockouts" ADD CONSTRAINT "two_factor_lockouts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "two_factor_lockouts_locked_until_idx" ON "two_factor_lockouts" USING btree ("locked_until");