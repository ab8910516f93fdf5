import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { TwoFactorLockoutRepository } from "../../src/features/two-factor/lockout-repository";
import { describeOnEachDialect } from "../helpers/dialects";
import { insertUser } from "../helpers/users";

const T0 = new Date(Date.UTC(2026, 0, 1));
const later = (ms: number) => new Date(T0.getTime() + ms);

describeOnEachDialect("TwoFactorLockoutRepository", (db) => {
  const lockouts = () => new TwoFactorLockoutRepository(db());

  it("locks a user out until a time, and only that user", async () => {
    const [userId, otherId] = [await insertUser(db()), await insertUser(db())];
    expect(await lockouts().lockedUntil(userId, T0)).toBeUndefined();
    await lockouts().lock(userId, later(60_000));
    expect(await lockouts().lockedUntil(userId, T0)).toEqual(later(60_000));
    expect(await lockouts().lockedUntil(userId, later(59_999))).toEqual(later(60_000));
    expect(await lockouts().lockedUntil(userId, later(60_000))).toBeUndefined();
    expect(await lockouts().lockedUntil(otherId, T0)).toBeUndefined();
  });

  it("extends a lock, never shortens it", async () => {
    const userId = await insertUser(db());
    await lockouts().lock(userId, later(60_000));
    await lockouts().lock(userId, later(30_000));
    expect(await lockouts().lockedUntil(userId, T0)).toEqual(later(60_000));
    await lockouts().lock(userId, later(90_000));
    expect(await lockouts().lockedUntil(userId, T0)).toEqual(later(90_000));
  });

  it("goes with its user", async () => {
    const userId = await insertUser(db());
    await lockouts().lock(userId, later(60_000));
    await db().run(sql`DELETE FROM users WHERE id = ${userId}`);
    expect(await lockouts().lockedUntil(userId, T0)).toBeUndefined();
  });
});
