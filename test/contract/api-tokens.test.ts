import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import type { ApiToken, NewApiToken } from "../../src/features/api-tokens/api-token";
import { ApiTokenRepository, MAX_API_TOKEN_PAGE_SIZE } from "../../src/features/api-tokens/repository";
import { generateApiToken } from "../../src/features/api-tokens/token-format";
import { ManualClock } from "../../src/platform/clock";
import { encodeIdCursor } from "../../src/platform/id-cursor";
import { newId } from "../../src/platform/ids";
import { cryptoRandom } from "../../src/platform/random";
import { describeOnEachDialect } from "../helpers/dialects";
import { insertUser } from "../helpers/users";

const T0 = new Date(Date.UTC(2026, 0, 1));
const later = (ms: number) => new Date(T0.getTime() + ms);

// Ids come from the real generator on a clock that moves 1 ms per token, so creation order is id
// order, as in production.
const idClock = new ManualClock(T0);

async function newToken(userId: string, overrides: Partial<NewApiToken> = {}): Promise<NewApiToken> {
  idClock.advance(1);
  const { start, hash } = await generateApiToken(cryptoRandom);
  return {
    id: newId("apiToken", idClock, cryptoRandom),
    userId,
    nome: "Deploy do CI",
    descricao: "Publica as builds",
    scope: "write",
    permissions: ["invites:read", "invites:create"],
    allowedIps: ["203.0.113.0/24", "2001:db8::/32"],
    rateLimit: "100/60s",
    tokenHash: hash,
    tokenStart: start,
    createdAt: T0,
    expiresAt: later(86_400_000),
    ...overrides,
  };
}

/** What a read returns for a freshly inserted token: everything but the hash, nothing used or revoked. */
function asStored({ tokenHash: _hash, ...token }: NewApiToken): ApiToken {
  return { ...token, lastUsedAt: null, revokedAt: null, revokedBy: null, revokedReason: null };
}

describeOnEachDialect("ApiTokenRepository", (db) => {
  const tokens = () => new ApiTokenRepository(db());

  it("stores a token and reads it back by id and by hash, without the hash", async () => {
    const token = await newToken(await insertUser(db()));
    expect(await tokens().insert(token)).toEqual(asStored(token));
    expect(await tokens().findById(token.id)).toEqual(asStored(token));
    expect(await tokens().findByHash(token.tokenHash)).toEqual({
      ...asStored(token),
      owner: { role: "usuario", status: "active" },
    });
    expect(await tokens().findById(newId("apiToken", idClock, cryptoRandom))).toBeUndefined();
    expect(await tokens().findByHash((await generateApiToken(cryptoRandom)).hash)).toBeUndefined();
  });

  it("keeps null and empty restrictions apart, and a token that never expires", async () => {
    const userId = await insertUser(db());
    const open = await newToken(userId, {
      descricao: null,
      scope: "read",
      permissions: null,
      allowedIps: null,
      rateLimit: null,
      expiresAt: null,
    });
    const narrowed = await newToken(userId, { scope: "admin", permissions: [], allowedIps: [] });
    await tokens().insert(open);
    await tokens().insert(narrowed);
    expect(await tokens().findById(open.id)).toEqual(asStored(open));
    expect(await tokens().findById(narrowed.id)).toMatchObject({
      scope: "admin",
      permissions: [],
      allowedIps: [],
    });
  });

  it("rejects a second token with the same hash and keeps the first", async () => {
    const userId = await insertUser(db());
    const first = await newToken(userId);
    const clash = await newToken(userId, { tokenHash: first.tokenHash, nome: "Colisão" });
    await tokens().insert(first);
    await expect(tokens().insert(clash)).rejects.toThrow();
    expect(await tokens().findById(clash.id)).toBeUndefined();
    expect((await tokens().findByHash(first.tokenHash))?.id).toBe(first.id);
  });

  it("shows the owner's current role and status with the token", async () => {
    const userId = await insertUser(db());
    const token = await newToken(userId);
    await tokens().insert(token);
    await db().run(sql`UPDATE users SET role = 'admin', status = 'disabled' WHERE id = ${userId}`);
    expect((await tokens().findByHash(token.tokenHash))?.owner).toEqual({
      role: "admin",
      status: "disabled",
    });
    await db().run(sql`UPDATE users SET role = 'gestor', status = 'active' WHERE id = ${userId}`);
    expect((await tokens().findByHash(token.tokenHash))?.owner).toEqual({ role: "gestor", status: "active" });
  });

  it("lists one user's tokens newest first, page by page, never with the hash", async () => {
    const [userId, otherUserId] = [await insertUser(db()), await insertUser(db())];
    const mine: NewApiToken[] = [];
    for (let index = 0; index < 5; index++) mine.push(await newToken(userId, { nome: `Token ${index}` }));
    const theirs = [await newToken(otherUserId), await newToken(otherUserId)];
    for (const token of [...mine, ...theirs]) await tokens().insert(token);
    const newestFirst = mine.map(asStored).reverse();

    const first = await tokens().list({ userId, limit: 2 });
    expect(first.tokens).toEqual(newestFirst.slice(0, 2));
    const second = await tokens().list({ userId, limit: 2, cursor: first.nextCursor! });
    expect(second.tokens).toEqual(newestFirst.slice(2, 4));
    const last = await tokens().list({ userId, limit: 2, cursor: second.nextCursor! });
    expect(last).toEqual({ tokens: newestFirst.slice(4), nextCursor: null });

    expect(await tokens().list({ userId, limit: 5 })).toEqual({ tokens: newestFirst, nextCursor: null });
    expect((await tokens().list({ userId: otherUserId, limit: 10 })).tokens.map((t) => t.id)).toEqual(
      theirs.map((t) => t.id).reverse(),
    );
    const serialized = JSON.stringify([first, second, last]);
    for (const token of mine) expect(serialized).not.toContain(token.tokenHash);
    expect(serialized).not.toContain("tokenHash");
  });

  it("lists every user's tokens when no user is given, each once, newest first", async () => {
    const created = [
      await newToken(await insertUser(db())),
      await newToken(await insertUser(db())),
      await newToken(await insertUser(db())),
    ];
    for (const token of created) await tokens().insert(token);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await tokens().list({ limit: 3, cursor });
      expect(page.tokens.length).toBeGreaterThan(0);
      expect(page.tokens.length).toBeLessThanOrEqual(3);
      seen.push(...page.tokens.map((token) => token.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(seen).toEqual([...seen].sort().reverse());
    expect(new Set(seen).size).toBe(seen.length);
    const positions = created.map((token) => seen.indexOf(token.id));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => b - a));
  });

  it("keeps the page size within 1..MAX_API_TOKEN_PAGE_SIZE", async () => {
    const userId = await insertUser(db());
    const created = await Promise.all(
      Array.from({ length: MAX_API_TOKEN_PAGE_SIZE + 1 }, () => newToken(userId)),
    );
    await Promise.all(created.map((token) => tokens().insert(token)));
    const widest = await tokens().list({ userId, limit: 10_000 });
    expect(widest.tokens).toHaveLength(MAX_API_TOKEN_PAGE_SIZE);
    expect(widest.nextCursor).not.toBeNull();
    for (const limit of [0, -5, 0.5, Number.NaN]) {
      expect((await tokens().list({ userId, limit })).tokens, String(limit)).toHaveLength(1);
    }
  });

  it("refuses a cursor it did not make", async () => {
    for (const cursor of ["not-a-cursor", encodeIdCursor(`usr_${"0".repeat(26)}`), "x".repeat(500)]) {
      await expect(tokens().list({ limit: 10, cursor })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    }
  });

  it("revokes a live token once, recording who, why and when", async () => {
    const [userId, adminId] = [await insertUser(db()), await insertUser(db())];
    const token = await newToken(userId);
    await tokens().insert(token);
    const revoked = await tokens().revoke(token.id, { by: adminId, reason: "revoked", at: later(1000) });
    const expected = {
      ...asStored(token),
      revokedAt: later(1000),
      revokedBy: adminId,
      revokedReason: "revoked",
    };
    expect(revoked).toEqual(expected);
    expect(
      await tokens().revoke(token.id, { by: userId, reason: "revoked", at: later(2000) }),
    ).toBeUndefined();
    expect(await tokens().findByHash(token.tokenHash)).toMatchObject({
      revokedAt: later(1000),
      revokedBy: adminId,
    });
    const unknown = newId("apiToken", idClock, cryptoRandom);
    expect(
      await tokens().revoke(unknown, { by: adminId, reason: "revoked", at: later(1000) }),
    ).toBeUndefined();
  });

  it("lets exactly one of 20 concurrent revocations win", async () => {
    const token = await newToken(await insertUser(db()));
    await tokens().insert(token);
    const revokers = await Promise.all(Array.from({ length: 20 }, () => insertUser(db())));
    const results = await Promise.all(
      revokers.map((by, index) => tokens().revoke(token.id, { by, reason: "revoked", at: later(index + 1) })),
    );
    const winners = results.filter((result) => result !== undefined);
    expect(winners).toHaveLength(1);
    expect(await tokens().findById(token.id)).toEqual(winners[0]);
  });

  it("revokes only the owner's token when asked to", async () => {
    const [ownerId, strangerId] = [await insertUser(db()), await insertUser(db())];
    const token = await newToken(ownerId);
    await tokens().insert(token);
    const asStranger = {
      by: strangerId,
      reason: "revoked",
      at: later(1000),
      onlyUserId: strangerId,
    } as const;
    expect(await tokens().revoke(token.id, asStranger)).toBeUndefined();
    expect((await tokens().findById(token.id))?.revokedAt).toBeNull();
    const asOwner = { by: ownerId, reason: "revoked", at: later(2000), onlyUserId: ownerId } as const;
    expect(await tokens().revoke(token.id, asOwner)).toMatchObject({
      revokedAt: later(2000),
      revokedBy: ownerId,
    });
  });

  it("revokes a reported token by its hash once, naming its owner", async () => {
    const userId = await insertUser(db());
    const token = await newToken(userId);
    await tokens().insert(token);
    expect(await tokens().revokeByHash(token.tokenHash, "leaked", later(1000))).toEqual({
      ...asStored(token),
      revokedAt: later(1000),
      revokedBy: null,
      revokedReason: "leaked",
    });
    expect(await tokens().findById(token.id)).toMatchObject({
      revokedAt: later(1000),
      revokedBy: null,
      revokedReason: "leaked",
    });
    expect(await tokens().revokeByHash(token.tokenHash, "leaked", later(2000))).toBeUndefined();
    expect((await tokens().findById(token.id))?.revokedAt).toEqual(later(1000));
    const unknown = (await generateApiToken(cryptoRandom)).hash;
    expect(await tokens().revokeByHash(unknown, "leaked", later(1000))).toBeUndefined();
  });

  it("writes last_used_at at most once per interval, and never back in time", async () => {
    const token = await newToken(await insertUser(db()));
    await tokens().insert(token);
    const lastUsed = async () => (await tokens().findById(token.id))?.lastUsedAt;

    expect(await tokens().touchLastUsed(token.id, later(10_000))).toBe(true);
    expect(await lastUsed()).toEqual(later(10_000));
    expect(await tokens().touchLastUsed(token.id, later(40_000))).toBe(false);
    expect(await tokens().touchLastUsed(token.id, later(70_000))).toBe(false);
    expect(await lastUsed()).toEqual(later(10_000));
    expect(await tokens().touchLastUsed(token.id, later(70_001))).toBe(true);
    expect(await lastUsed()).toEqual(later(70_001));
    expect(await tokens().touchLastUsed(token.id, later(0))).toBe(false);
    expect(await tokens().touchLastUsed(token.id, later(71_001), 1000)).toBe(false);
    expect(await tokens().touchLastUsed(token.id, later(71_002), 1000)).toBe(true);
    expect(await lastUsed()).toEqual(later(71_002));
    expect(await tokens().touchLastUsed(newId("apiToken", idClock, cryptoRandom), later(0))).toBe(false);
  });

  it("goes with its owner", async () => {
    const userId = await insertUser(db());
    const token = await newToken(userId);
    await tokens().insert(token);
    await db().run(sql`DELETE FROM users WHERE id = ${userId}`);
    expect(await tokens().findById(token.id)).toBeUndefined();
  });
});
