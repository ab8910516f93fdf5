import type { Database } from "../../src/db/database";
import { UserRepository } from "../../src/features/users/repository";
import { unique } from "./dialects";

/** Inserts a plain user for repository tests (no password that anyone could use) and returns its id. */
export async function insertUser(db: Database, at = new Date(Date.UTC(2026, 0, 1))): Promise<string> {
  const id = `usr_${unique()}`;
  await new UserRepository(db).create({
    id,
    username: unique("u"),
    email: `${unique("e")}@example.com`,
    passwordHash: "$argon2id$not-a-real-hash",
    name: "Test User",
    role: "usuario",
    status: "active",
    createdAt: at,
  });
  return id;
}
