import { expect, it } from "vitest";
import {
  isLive,
  type NewRefreshToken,
  RefreshTokenRepository,
} from "../../src/features/accounts/sessions/repository";
import { describeOnEachDialect, unique } from "../helpers/dialects";
import { insertUser } from "../helpers/users";

const T0 = new Date(Date.UTC(2026, 0, 1));
const later = (ms: number) => new Date(T0.getTime() + ms);

function root(userId: string, overrides: Partial<NewRefreshToken> = {}): NewRefreshToken {
  const id = `rtk_${unique()}`;
  return {
    id,
    userId,
    tokenHash: unique("hash"),
    familyId: id,
    parentId: null,
    sessionStartedAt: later(-60_000),
    expiresAt: later(3_600_000),
    ip: "203.0.113.7",
    userAgent: "contract-test",
    createdAt: T0,
    ...overrides,
  };
}

const childOf = (at: Date) => ({
  id: `rtk_${unique()}`,
  tokenHash: unique("hash"),
  expiresAt: new Date(at.getTime() + 3_600_000),
  ip: "198.51.100.1",
  userAgent: "contract-test/2",
  createdAt: at,
});

describeOnEachDialect("RefreshTokenRepository", (db) => {
  const tokens = () => new RefreshTokenRepository(db());

  it("stores a token and reads it back", async () => {
    const token = root(await insertUser(db()));
    await tokens().insert(token);
    const stored = await tokens().findById(token.id);
    expect(stored).toEqual({
      ...token,
      replacedById: null,
      rotatedAt: null,
      revokedAt: null,
      revokedReason: null,
    });
    expect(isLive(stored!, T0)).toBe(true);
    expect(isLive(stored!, token.expiresAt)).toBe(false);
    expect(await tokens().findById(`rtk_${unique()}`)).toBeUndefined();
  });

  it("rotates a live token once: the parent is retired and the child joins its family", async () => {
    const parent = root(await insertUser(db()));
    await tokens().insert(parent);
    const at = later(1000);
    const child = childOf(at);
    const stored = await tokens().rotate({ id: parent.id, tokenHash: parent.tokenHash }, child);
    expect(stored).toEqual({
      ...child,
      userId: parent.userId,
      familyId: parent.familyId,
      parentId: parent.id,
      // Copied from the parent by the statement itself, never taken from the caller.
      sessionStartedAt: parent.sessionStartedAt,
      replacedById: null,
      rotatedAt: null,
      revokedAt: null,
      revokedReason: null,
    });
    expect(await tokens().findById(parent.id)).toMatchObject({ rotatedAt: at, replacedById: child.id });

    const again = childOf(later(2000));
    expect(await tokens().rotate({ id: parent.id, tokenHash: parent.tokenHash }, again)).toBeUndefined();
    expect(await tokens().findById(again.id)).toBeUndefined();
  });

  it("does not rotate a wrong hash, an expired or a revoked token", async () => {
    const userId = await insertUser(db());
    const wrongHash = root(userId);
    const expired = root(userId, { expiresAt: later(500) });
    const revoked = root(userId);
    for (const token of [wrongHash, expired, revoked]) await tokens().insert(token);
    await tokens().revokeFamily(revoked.familyId, "logout", later(100));

    const attempts = [
      { id: wrongHash.id, tokenHash: "not-the-hash" },
      { id: expired.id, tokenHash: expired.tokenHash },
      { id: revoked.id, tokenHash: revoked.tokenHash },
    ];
    for (const parent of attempts) {
      const child = childOf(later(1000));
      expect(await tokens().rotate(parent, child)).toBeUndefined();
      expect(await tokens().findById(child.id)).toBeUndefined();
      expect((await tokens().findById(parent.id))?.rotatedAt).toBeNull();
    }
  });

  it("lets exactly one of many concurrent rotations win", async () => {
    const parent = root(await insertUser(db()));
    await tokens().insert(parent);
    const children = Array.from({ length: 12 }, () => childOf(later(1000)));
    const results = await Promise.all(
      children.map((child) => tokens().rotate({ id: parent.id, tokenHash: parent.tokenHash }, child)),
    );
    const winners = results.filter((result) => result !== undefined);
    expect(winners).toHaveLength(1);
    expect((await tokens().findById(parent.id))?.replacedById).toBe(winners[0]!.id);
    const stored = await Promise.all(children.map((child) => tokens().findById(child.id)));
    expect(stored.filter(Boolean)).toHaveLength(1);
  });

  it("revokes a whole family, and only not-yet-revoked rows", async () => {
    const userId = await insertUser(db());
    const parent = root(userId);
    const other = root(userId);
    await tokens().insert(parent);
    await tokens().insert(other);
    const child = await tokens().rotate(parent, childOf(later(1000)));
    expect(await tokens().revokeFamily(parent.familyId, "reuse_detected", later(2000))).toBe(2);
    expect(await tokens().findById(child!.id)).toMatchObject({
      revokedAt: later(2000),
      revokedReason: "reuse_detected",
    });
    expect(await tokens().revokeFamily(parent.familyId, "logout", later(3000))).toBe(0);
    expect((await tokens().findById(parent.id))?.revokedReason).toBe("reuse_detected");
    expect((await tokens().findById(other.id))?.revokedAt).toBeNull();
  });

  it("revokes the family of a token given its id and hash", async () => {
    const userId = await insertUser(db());
    const parent = root(userId);
    await tokens().insert(parent);
    const child = await tokens().rotate(parent, childOf(later(1000)));
    expect(await tokens().revokeFamilyOf(child!.id, "wrong-hash", "logout", later(2000))).toBe(0);
    expect(await tokens().revokeFamilyOf(parent.id, parent.tokenHash, "logout", later(2000))).toBe(2);
    expect((await tokens().findById(child!.id))?.revokedReason).toBe("logout");
  });

  it("revokes every token of one user in an atomic statement", async () => {
    const [userId, otherUserId] = [await insertUser(db()), await insertUser(db())];
    const mine = [root(userId), root(userId)];
    const theirs = root(otherUserId);
    for (const token of [...mine, theirs]) await tokens().insert(token);
    const [rows] = await db().atomic([
      tokens().revokeAllForUserStatement(userId, "password_reset", later(5000)),
    ]);
    expect((rows as Array<{ id: string }>).map((row) => row.id).sort()).toEqual(mine.map((t) => t.id).sort());
    expect((await tokens().findById(theirs.id))?.revokedAt).toBeNull();
  });
});
