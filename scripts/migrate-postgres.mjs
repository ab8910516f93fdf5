// Applies migrations/pg/*.sql to the PostgreSQL in DATABASE_URL, in name order, each in its own
// transaction, recording what ran in `_migrations` so a second run does nothing. An advisory lock
// keeps two concurrent runs from applying the same file twice.
//   DATABASE_URL=postgres://user:pass@host:5432/db npm run db:migrate:pg
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import postgres from "postgres";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is not set");
  process.exit(2);
}
const dir = join(import.meta.dirname, "../migrations/pg");
const sql = postgres(url, { max: 1, onnotice: () => {} });
const MIGRATIONS_LOCK = 727_100_001;

try {
  await sql`CREATE TABLE IF NOT EXISTS _migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`;
  await sql`SELECT pg_advisory_lock(${MIGRATIONS_LOCK})`;
  const applied = new Set((await sql`SELECT name FROM _migrations`).map((row) => row.name));
  const files = readdirSync(dir)
    .filter((name) => name.endsWith(".sql"))
    .sort();
  for (const file of files.filter((name) => !applied.has(name))) {
    const statements = readFileSync(join(dir, file), "utf8")
      .split("--> statement-breakpoint")
      .filter((statement) => statement.trim());
    await sql.begin(async (tx) => {
      for (const statement of statements) await tx.unsafe(statement);
      await tx`INSERT INTO _migrations (name) VALUES (${file})`;
    });
    console.log(`applied ${file}`);
  }
  await sql`SELECT pg_advisory_unlock(${MIGRATIONS_LOCK})`;
} finally {
  await sql.end();
}
