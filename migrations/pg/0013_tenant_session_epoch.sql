ALTER TABLE "tenant_sessions" ADD COLUMN "token_epoch" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Sessions from before the column were started under their user's current epoch (an older cut-off would have ended them at its time): keep them alive.
UPDATE "tenant_sessions" SET "token_epoch" = (SELECT u."token_epoch" FROM "users" AS u WHERE u."id" = "tenant_sessions"."user_id");
