import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { UniqueViolation } from "../../src/db/errors";
import { UserRepository } from "../../src/features/users/repository";
import { normalizeIdentifier, type Role } from "../../src/features/users/user";
import { describeOnEachDialect, unique } from "../helpers/dialects";

const AT = new Date(1_767_225_600_000);

function newUser(overrides: Partial<Parameters<UserRepository["create"]>[0]> = {}) {
  const tag = unique();
  return {
    id: `usr_${tag}`,
    username: `User.${tag}`,
    email: `User.${tag}@Example.com`,
    passwordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
    name: "A User",
    role: "usuario" as Role,
    status: "active" as const,
    createdAt: AT,
    ...overrides,
  };
}

describeOnEachDialect("UserRepository", (db) => {
  const users = () => new UserRepository(db());

  it("creates a user and reads it back by id", async () => {
    const input = newUser();
    const created = await users().create(input);
    expect(created).toEqual({
      ...input,
      emailVerifiedAt: null,
      tokensValidAfter: null,
      tokenEpoch: 0,
      updatedAt: AT,
    });
    expect(await users().findById(input.id)).toEqual(created);
    expect(await users().findById(`usr_${unique()}`)).toBeUndefined();
  });

  it("finds by username or e-mail, trimmed and case-insensitively", async () => {
    const input = newUser();
    await users().create(input);
    for (const identifier of [
      input.username,
      `  ${input.username.toUpperCase()} `,
      input.email.toLowerCase(),
    ]) {
      expect((await users().findByLogin(identifier))?.id).toBe(input.id);
    }
    expect(await users().findByLogin(`nobody.${unique()}`)).toBeUndefined();
  });

  it("refuses a username or e-mail taken in another case with a UniqueViolation, changing nothing", async () => {
    const first = newUser();
    await users().create(first);
    const before = await users().count();
    for (const clash of [
      newUser({ username: first.username.toUpperCase() }),
      newUser({ email: first.email.toUpperCase() }),
    ]) {
      const error = await users()
        .create(clash)
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UniqueViolation);
      expect(await users().findById(clash.id)).toBeUndefined();
    }
    expect(await users().count()).toBe(before);
  });

  it("tells whether a username or an e-mail is taken", async () => {
    const input = newUser();
    await users().create(input);
    expect(await users().existsByUsernameOrEmail(input.username.toLowerCase(), "none@example.com")).toBe(
      true,
    );
    expect(await users().existsByUsernameOrEmail("none", input.email.toUpperCase())).toBe(true);
    expect(await users().existsByUsernameOrEmail(`none.${unique()}`, `${unique()}@example.com`)).toBe(false);
  });

  it("createIfAbsentStatement inserts exactly once under concurrent callers", async () => {
    const base = newUser();
    const attempts = Array.from({ length: 8 }, (_, i) =>
      db().all<{ id: string }>(users().createIfAbsentStatement({ ...base, id: `${base.id}_${i}` })),
    );
    const inserted = (await Promise.all(attempts)).filter((rows) => rows.length === 1);
    expect(inserted).toHaveLength(1);
    expect((await users().findByLogin(base.username))?.id).toBe(inserted[0]![0]!.id);
  });

  it("updates the password hash and the status", async () => {
    const input = newUser();
    await users().create(input);
    const later = new Date(AT.getTime() + 1000);
    expect(await users().updatePasswordHash(input.id, "$argon2id$new", later)).toBe(true);
    expect(await users().setStatus(input.id, "disabled", later)).toBe(true);
    const updated = await users().findById(input.id);
    expect(updated).toMatchObject({ passwordHash: "$argon2id$new", status: "disabled", updatedAt: later });
    expect(updated?.tokensValidAfter).toBeNull();
    expect(await users().setStatus(`usr_${unique()}`, "active", later)).toBe(false);
  });

  it("marks the e-mail verified once, and only for the current address", async () => {
    const input = newUser();
    await users().create(input);
    const first = new Date(AT.getTime() + 1000);
    expect(await users().markEmailVerifiedIfCurrent(input.id, "other@example.com", first)).toBe(false);
    expect(await users().markEmailVerifiedIfCurrent(input.id, input.email.toUpperCase(), first)).toBe(true);
    expect(await users().markEmailVerified(input.id, new Date(first.getTime() + 1000))).toBe(false);
    expect((await users().findById(input.id))?.emailVerifiedAt).toEqual(first);

    const other = newUser();
    await users().create(other);
    expect(await users().markEmailVerified(other.id, first)).toBe(true);
  });

  it("replaces the password and cuts off older tokens (the epoch moves on) in one statement", async () => {
    const input = newUser();
    await users().create(input);
    const at = new Date(AT.getTime() + 5000);
    await db().atomic([users().replacePasswordStatement(input.id, "$argon2id$reset", at)]);
    expect(await users().findById(input.id)).toMatchObject({
      passwordHash: "$argon2id$reset",
      tokensValidAfter: at,
      tokenEpoch: 1,
    });
    const later = new Date(at.getTime() + 5000);
    await db().atomic([users().revokeAccessTokensStatement(input.id, later)]);
    expect(await users().findById(input.id)).toMatchObject({ tokensValidAfter: later, tokenEpoch: 2 });
    // Concurrent cut-offs each move the epoch on: none is lost to a read-modify-write.
    await Promise.all(
      Array.from({ length: 5 }, () => db().atomic([users().revokeAccessTokensStatement(input.id, later)])),
    );
    expect((await users().findById(input.id))?.tokenEpoch).toBe(7);
  });

  it("counts stored password hashes by their Argon2id parameters", async () => {
    const memoryKib = 20_000 + Math.floor(Math.random() * 1_000_000);
    const phc = (salt: string) =>
      `$argon2id$v=19$m=${memoryKib},t=2,p=1$${salt.padEnd(22, "A")}$${"B".repeat(43)}`;
    await users().create(newUser({ passwordHash: phc("one") }));
    await users().create(newUser({ passwordHash: phc("two") }));
    const counts = await users().passwordParameterCounts();
    expect(counts).toContainEqual({ params: `$argon2id$v=19$m=${memoryKib},t=2,p=1`, total: 2 });
  });

  it("counts users", async () => {
    const before = await users().count();
    await users().create(newUser());
    expect(await users().count()).toBe(before + 1);
  });

  it("creates exactly one of many concurrent inserts of the same username", async () => {
    const username = `race${unique()}`;
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        users().create(newUser({ username, email: `${unique()}@example.com` })),
      ),
    );
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
  });

  it("atomic() rolls every statement back when one fails", async () => {
    const existing = newUser();
    await users().create(existing);
    const fresh = newUser();
    const insert = (id: string, usernameNormalized: string, emailNormalized: string) => sql`
      INSERT INTO users (id, username, username_normalized, email, email_normalized, password_hash, name, role,
                         status, created_at, updated_at)
      VALUES (${id}, ${id}, ${usernameNormalized}, ${id}, ${emailNormalized}, 'h', 'n', 'usuario', 'active', 1, 1)`;
    const error = await db()
      .atomic([
        insert(fresh.id, unique("fresh"), unique("fresh")),
        insert(`usr_${unique()}`, normalizeIdentifier(existing.username), unique("mail")),
      ])
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(UniqueViolation);
    expect(await users().findById(fresh.id)).toBeUndefined();
  });
});
