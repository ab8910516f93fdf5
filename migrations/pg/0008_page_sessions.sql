CREATE TABLE "page_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"user_id" text NOT NULL,
	"stage" text NOT NULL,
	"expires_at" bigint NOT NULL,
	"ip" text,
	"user_agent" text,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "page_sessions" ADD CONSTRAINT "page_sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "page_sessions_token_hash_key" ON "page_sessions" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "page_sessions_user_idx" ON "page_sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "page_sessions_expires_at_idx" ON "page_sessions" USING btree ("expires_at");