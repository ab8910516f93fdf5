import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import {
  type PageSessionRecord,
  PageSessionRepository,
} from "../../src/features/web/page-session-repository";
import { describeOnEachDialect, unique } from "../helpers/dialects";
import { insertUser } from "../helpers/users";

const T0 = new Date(Date.UTC(2026, 0, 1));
const later = (ms: number) => new Date(T0.getTime() + ms);

function session(userId: string, overrides: Partial<PageSessionRecord> = {}): PageSessionRecord {
  return {
    id: `pgs_${unique()}`,
    tokenHash: unique("hash"),
    userId,
    stage: "signed_in",
    expiresAt: later(60_000),
    ip: "203.0.113.9",
    userAgent: "contract-test",
    createdAt: T0,
    ...overrides,
  };
}

describeOnEachDialect("PageSessionRepository", (db) => {
  const sessions = () => new PageSessionRepository(db());

  it("finds a session by its token hash while it lives", async () => {
    const record = session(await insertUser(db()));
    await sessions().create(record);
    expect(await sessions().findLive(record.tokenHash, later(1000))).toEqual(record);
    expect(await sessions().findLive(record.tokenHash, later(60_000))).toBeUndefined();
    expect(await sessions().findLive(unique("other"), T0)).toBeUndefined();
  });

  it("promotes a second-factor session once, under a new token hash", async () => {
    const record = session(await insertUser(db()), { stage: "second_factor", expiresAt: later(300_000) });
    await sessions().create(record);
    const newHash = unique("new");
    const results = await Promise.all(
      Array.from({ length: 5 }, () => sessions().promote(record.id, newHash, later(1_800_000), later(1000))),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await sessions().findLive(record.tokenHash, later(2000))).toBeUndefined();
    expect(await sessions().findLive(newHash, later(2000))).toMatchObject({
      id: record.id,
      stage: "signed_in",
      expiresAt: later(1_800_000),
    });
  });

  it("promotes neither a signed-in nor an expired session", async () => {
    const userId = await insertUser(db());
    const signedIn = session(userId);
    const expired = session(userId, { stage: "second_factor", expiresAt: later(1000) });
    await sessions().create(signedIn);
    await sessions().create(expired);
    expect(await sessions().promote(signedIn.id, unique("x"), later(1_800_000), T0)).toBe(false);
    expect(await sessions().promote(expired.id, unique("y"), later(1_800_000), later(1000))).toBe(false);
  });

  it("deletes by token hash, and goes with its user", async () => {
    const userId = await insertUser(db());
    const [first, second] = [session(userId), session(userId)];
    await sessions().create(first);
    await sessions().create(second);
    expect(await sessions().deleteByTokenHash(first.tokenHash)).toBe(true);
    expect(await sessions().deleteByTokenHash(first.tokenHash)).toBe(false);
    expect(await sessions().findLive(first.tokenHash, T0)).toBeUndefined();
    await db().run(sql`DELETE FROM users WHERE id = ${userId}`);
    expect(await sessions().findLive(second.tokenHash, T0)).toBeUndefined();
  });
});
