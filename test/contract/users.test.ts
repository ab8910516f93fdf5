import { describe, expect, it } from "vitest";
import type { NewUser } from "../../src/features/users/repository";
import { UserRepository } from "../../src/features/users/repository";
import { ManualClock } from "../../src/platform/clock";
import { AppError } from "../../src/platform/errors";
import { newId } from "../../src/platform/ids";
import { cryptoRandom } from "../../src/platform/random";
import { DIALECTS, unique } from "./dialects";

const clock = new ManualClock(Date.UTC(2026, 3, 1, 12));

function aUser(overrides: Partial<NewUser> = {}): NewUser {
  const name = unique("user");
  return {
    id: newId("user", clock, cryptoRandom),
    username: name,
    email: `${name}@example.com`,
    passwordHash: "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$PL01amPyeUuxG7H0vIr5X+qHkZvWnHmGBGXFYvh8z2E",
    name: "Test User",
    role: "usuario",
    status: "active",
    createdAt: clock.now(),
    ...overrides,
  };
}

describe.each(DIALECTS)("UserRepository on $name", ({ open }) => {
  const users = () => new UserRepository(open());

  it("creates and reads a user back with the same shape", async () => {
    const repo = users();
    const input = aUser();
    const created = await repo.create(input);
    expect(created).toEqual({ ...input, emailVerifiedAt: null, updatedAt: input.createdAt });
    expect(await repo.findById(input.id)).toEqual(created);
    expect(await repo.findById("usr_missing")).toBeUndefined();
  });

  it("finds by username or e-mail, case-insensitively and trimmed", async () => {
    const repo = users();
    const input = aUser();
    await repo.create({ ...input, username: input.username.toUpperCase(), email: input.email.toUpperCase() });
    expect((await repo.findByLogin(`  ${input.username.toLowerCase()} `))?.id).toBe(input.id);
    expect((await repo.findByLogin(input.email))?.id).toBe(input.id);
    expect(await repo.findByLogin(unique("nobody"))).toBeUndefined();
  });

  it("rejects a username or e-mail that differs only in case with CONFLICT", async () => {
    const repo = users();
    const first = aUser();
    await repo.create(first);
    for (const clash of [
      aUser({ username: first.username.toUpperCase() }),
      aUser({ email: first.email.toUpperCase() }),
    ]) {
      const error = await repo.create(clash).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe("CONFLICT");
    }
  });

  it("creates exactly one of many concurrent inserts of the same username", async () => {
    const repo = users();
    const username = unique("race");
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => repo.create(aUser({ username, email: `${unique("e")}@example.com` }))),
    );
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
  });

  it("updates the password hash, status and verification once", async () => {
    const repo = users();
    const input = aUser();
    await repo.create(input);
    const later = new Date(input.createdAt.getTime() + 60_000);
    expect(await repo.updatePasswordHash(input.id, "$argon2id$new", later)).toBe(true);
    expect(await repo.setStatus(input.id, "disabled", later)).toBe(true);
    expect(await repo.markEmailVerified(input.id, later)).toBe(true);
    expect(await repo.markEmailVerified(input.id, new Date(later.getTime() + 1))).toBe(false);
    expect(await repo.findById(input.id)).toMatchObject({
      passwordHash: "$argon2id$new",
      status: "disabled",
      emailVerifiedAt: later,
      updatedAt: later,
    });
    expect(await repo.updatePasswordHash("usr_missing", "x", later)).toBe(false);
  });

  it("counts users", async () => {
    const repo = users();
    const before = await repo.count();
    await repo.create(aUser());
    expect(await repo.count()).toBe(before + 1);
  });
});

describe("atomic on both dialects", () => {
  it.each(DIALECTS)("$name rolls every statement back when one fails", async ({ open }) => {
    const db = open();
    const repo = new UserRepository(db);
    const existing = aUser();
    await repo.create(existing);
    const { sql } = await import("drizzle-orm");
    const fresh = aUser();
    const error = await db
      .atomic([
        sql`INSERT INTO users (id, username, username_normalized, email, email_normalized, password_hash, name, role, status, created_at, updated_at)
            VALUES (${fresh.id}, ${fresh.username}, ${fresh.username}, ${fresh.email}, ${fresh.email}, 'h', 'n', 'usuario', 'active', 1, 1)`,
        sql`INSERT INTO users (id, username, username_normalized, email, email_normalized, password_hash, name, role, status, created_at, updated_at)
            VALUES (${unique("usr_")}, 'x', ${existing.username}, 'y', ${unique("mail")}, 'h', 'n', 'usuario', 'active', 1, 1)`,
      ])
      .catch((thrown: unknown) => thrown);
    expect((error as AppError).code).toBe("CONFLICT");
    expect(await repo.findById(fresh.id)).toBeUndefined();
  });
});
