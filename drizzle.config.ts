import { defineConfig } from "drizzle-kit";

// One schema per dialect, one migrations folder per dialect. `npm run db:generate` runs both:
//   DRIZZLE_DIALECT=sqlite     → migrations/d1  (applied by wrangler d1 migrations apply)
//   DRIZZLE_DIALECT=postgresql → migrations/pg  (applied by scripts/migrate-postgres.mjs / the tests)
const dialect = process.env.DRIZZLE_DIALECT === "postgresql" ? "postgresql" : "sqlite";

export default defineConfig(
  dialect === "postgresql"
    ? { dialect, schema: "./src/db/schema/pg.ts", out: "./migrations/pg" }
    : { dialect, schema: "./src/db/schema/sqlite.ts", out: "./migrations/d1" },
);
