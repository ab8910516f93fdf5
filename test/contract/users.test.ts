import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { UniqueViolation } from "../../src/db/errors";
import { MAX_USER_PAGE_SIZE, UserRepository } from "../../src/features/users/repository";
import { normalizeIdentifier, type Role } from "../../src/features/users/user";
import { ManualClock } from "../../src/platform/clock";
import { newId } from "../../src/platform/ids";
import { cryptoRandom } from "../../src/platform/random";
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

  describe("list", () => {
    // Ids from the real generator on a clock that moves 1 ms per user, so creation order is id
    // order; a tag of this test keeps other tests' users (PostgreSQL is shared) out of the pages.
    const idClock = new ManualClock(AT);
    async function listed(tag: string, count: number, roles: Role[] = []) {
      const made = [];
      for (let index = 0; index < count; index++) {
        idClock.advance(1);
        const user = newUser({
          id: newId("user", idClock, cryptoRandom),
          username: `${tag}.${index}`,
          email: `${tag}.${index}@example.com`,
          role: roles[index] ?? "usuario",
        });
        made.push(await users().create(user));
      }
      return made;
    }

    it("pages newest first by a cursor, filtered by a part of the username or e-mail", async () => {
      const tag = unique("lst");
      const made = await listed(tag, 5);
      const newestFirst = made.map((user) => user.id).reverse();
      const first = await users().list({ query: tag.toUpperCase() }, { limit: 2 });
      expect(first.users.map((user) => user.id)).toEqual(newestFirst.slice(0, 2));
      const second = await users().list({ query: tag }, { limit: 2, cursor: first.nextCursor! });
      expect(second.users.map((user) => user.id)).toEqual(newestFirst.slice(2, 4));
      const last = await users().list({ query: tag }, { limit: 2, cursor: second.nextCursor! });
      expect(last).toEqual({ users: [made[0]], nextCursor: null });
      expect((await users().list({ query: `${tag}.3@EXAMPLE` }, { limit: 10 })).users).toEqual([made[3]]);
    });

    it("filters by role and status, and takes LIKE wildcards literally", async () => {
      const tag = unique("flt");
      const made = await listed(tag, 4, ["gestor", "usuario", "gestor", "admin"]);
      await users().setStatus(made[2]!.id, "disabled", AT);
      const ids = async (filter: Parameters<UserRepository["list"]>[0]) =>
        (await users().list({ query: tag, ...filter }, { limit: 10 })).users.map((user) => user.id);
      expect(await ids({ role: "gestor" })).toEqual([made[2]!.id, made[0]!.id]);
      expect(await ids({ role: "gestor", status: "active" })).toEqual([made[0]!.id]);
      expect(await ids({ status: "disabled" })).toEqual([made[2]!.id]);
      expect(await ids({ query: `${tag.slice(0, 2)}%` })).toEqual([]);
      expect(await ids({ query: `${tag.slice(0, 2)}_${tag.slice(3)}` })).toEqual([]);
    });

    it("keeps the page size within 1..MAX_USER_PAGE_SIZE and refuses a forged cursor", async () => {
      const tag = unique("pg");
      await listed(tag, 3);
      expect((await users().list({ query: tag }, { limit: 0 })).users).toHaveLength(1);
      expect((await users().list({}, { limit: 10_000 })).users.length).toBeLessThanOrEqual(
        MAX_USER_PAGE_SIZE,
      );
      await expect(users().list({}, { limit: 10, cursor: "forged" })).rejects.toMatchObject({
        code: "VALIDATION_FAILED",
      });
    });
  });

  describe("changeRole", () => {
    it("changes the role only from the role the caller saw", async () => {
      const input = newUser({ role: "admin" });
      await users().create(input);
      const at = new Date(AT.getTime() + 1000);
      expect(await users().changeRole(input.id, { from: "gestor", to: "usuario", at })).toBeUndefined();
      expect((await users().findById(input.id))?.role).toBe("admin");
      const demoted = await users().changeRole(input.id, { from: "admin", to: "gestor", at });
      expect(demoted).toMatchObject({ role: "gestor", updatedAt: at });
      const later = new Date(at.getTime() + 1000);
      const promoted = await users().changeRole(input.id, { from: "gestor", to: "admin", at: later });
      expect(promoted).toMatchObject({ role: "admin", updatedAt: later });
      expect(
        await users().changeRole(`usr_${unique()}`, { from: "usuario", to: "gestor", at }),
      ).toBeUndefined();
    });

    it("demotes a root while another active root exists, concurrently too", async () => {
      const roots = [newUser({ role: "root" }), newUser({ role: "root" }), newUser({ role: "root" })];
      for (const root of roots) await users().create(root);
      const results = await Promise.all(
        roots.slice(0, 2).map((root) => users().changeRole(root.id, { from: "root", to: "admin", at: AT })),
      );
      // A third root stays, so both go through, one after the other.
      expect(results.map((user) => user?.role)).toEqual(["admin", "admin"]);
    });
  });
});
