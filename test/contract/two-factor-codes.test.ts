import { expect, it } from "vitest";
import {
  type CodeAttempt,
  type NewTwoFactorCode,
  TwoFactorCodeRepository,
} from "../../src/features/two-factor/code-repository";
import { TwoFactorLockoutRepository } from "../../src/features/two-factor/lockout-repository";
import { describeOnEachDialect, unique } from "../helpers/dialects";
import { insertUser } from "../helpers/users";

const T0 = new Date(Date.UTC(2026, 0, 1));
const later = (ms: number) => new Date(T0.getTime() + ms);
const TTL = 300_000;

function newCode(userId: string, overrides: Partial<NewTwoFactorCode> = {}): NewTwoFactorCode {
  const createdAt = overrides.createdAt ?? T0;
  return {
    id: `tfc_${unique()}`,
    userId,
    purpose: "login",
    codeHash: unique("hash"),
    expiresAt: new Date(createdAt.getTime() + TTL),
    createdBy: userId,
    ip: "203.0.113.7",
    userAgent: "contract-test",
    createdAt,
    ...overrides,
  };
}

const outcomes = (results: CodeAttempt[]) => results.map((result) => result.outcome);

describeOnEachDialect("TwoFactorCodeRepository", (db) => {
  const codes = () => new TwoFactorCodeRepository(db());

  it("issues a code and reports it pending, never showing its hash", async () => {
    const userId = await insertUser(db());
    const adminId = await insertUser(db());
    expect(await codes().latest(userId, T0)).toBeUndefined();
    const code = newCode(userId, { createdBy: adminId });
    await codes().issue(code);
    const status = await codes().latest(userId, later(1000));
    expect(status).toEqual({
      id: code.id,
      purpose: "login",
      state: "pending",
      attempts: 0,
      expiresAt: code.expiresAt,
      usedAt: null,
      createdBy: adminId,
      ip: "203.0.113.7",
      userAgent: "contract-test",
      createdAt: T0,
    });
    expect(JSON.stringify(status)).not.toContain(code.codeHash);
  });

  it("takes any of several candidate hashes (one typed code under each configured key)", async () => {
    const userId = await insertUser(db());
    const code = newCode(userId);
    await codes().issue(code);
    const wrong = await codes().attempt(userId, "login", [unique("x"), unique("y")], later(1000));
    expect(wrong).toEqual({ outcome: "rejected", codeId: code.id, attemptsLeft: 4 });
    const right = await codes().attempt(userId, "login", [unique("new-key"), code.codeHash], later(1000));
    expect(right).toEqual({ outcome: "accepted", codeId: code.id });
  });

  it("takes no try while the user is locked out: neither a use nor a wrong try counts", async () => {
    const userId = await insertUser(db());
    const code = newCode(userId);
    await codes().issue(code);
    await new TwoFactorLockoutRepository(db()).lock(userId, later(60_000));
    expect(await codes().attempt(userId, "login", code.codeHash, later(1000))).toEqual({
      outcome: "no_live_code",
    });
    expect(await codes().attempt(userId, "login", unique("x"), later(1000))).toEqual({
      outcome: "no_live_code",
    });
    expect((await codes().latest(userId, later(1000)))?.attempts).toBe(0);
    expect((await codes().attempt(userId, "login", code.codeHash, later(60_000))).outcome).toBe("accepted");
  });

  it("accepts the right code once", async () => {
    const userId = await insertUser(db());
    const code = newCode(userId);
    await codes().issue(code);
    expect(await codes().attempt(userId, "login", code.codeHash, later(1000))).toEqual({
      outcome: "accepted",
      codeId: code.id,
    });
    expect(await codes().attempt(userId, "login", code.codeHash, later(2000))).toEqual({
      outcome: "no_live_code",
    });
    expect(await codes().latest(userId, later(2000))).toMatchObject({ state: "used", usedAt: later(1000) });
  });

  it("counts wrong tries and still accepts the right code before the fifth", async () => {
    const userId = await insertUser(db());
    const code = newCode(userId);
    await codes().issue(code);
    const wrong = [];
    for (let i = 0; i < 4; i++) wrong.push(await codes().attempt(userId, "login", unique("x"), later(1000)));
    expect(wrong).toEqual(
      [4, 3, 2, 1].map((attemptsLeft) => ({ outcome: "rejected", codeId: code.id, attemptsLeft })),
    );
    expect((await codes().attempt(userId, "login", code.codeHash, later(2000))).outcome).toBe("accepted");
  });

  it("kills a code after five wrong tries: the right code no longer works", async () => {
    const userId = await insertUser(db());
    const code = newCode(userId);
    await codes().issue(code);
    for (let i = 0; i < 5; i++) await codes().attempt(userId, "login", unique("x"), later(1000));
    expect(await codes().attempt(userId, "login", code.codeHash, later(2000))).toEqual({
      outcome: "no_live_code",
    });
    expect(await codes().attempt(userId, "login", unique("x"), later(2000))).toEqual({
      outcome: "no_live_code",
    });
    expect(await codes().latest(userId, later(2000))).toMatchObject({ state: "dead", attempts: 5 });
  });

  it("refuses an expired code without counting the try", async () => {
    const userId = await insertUser(db());
    const code = newCode(userId);
    await codes().issue(code);
    expect(await codes().attempt(userId, "login", code.codeHash, code.expiresAt)).toEqual({
      outcome: "no_live_code",
    });
    expect(await codes().attempt(userId, "login", unique("x"), code.expiresAt)).toEqual({
      outcome: "no_live_code",
    });
    expect(await codes().latest(userId, code.expiresAt)).toMatchObject({ state: "expired", attempts: 0 });
    expect(await codes().latest(userId, later(TTL - 1))).toMatchObject({ state: "pending" });
  });

  it("a newer code supersedes the older one of the same purpose only", async () => {
    const userId = await insertUser(db());
    const older = newCode(userId);
    const otherPurpose = newCode(userId, { purpose: "confirm" });
    await codes().issue(older);
    await codes().issue(otherPurpose);
    const newer = newCode(userId, { createdAt: later(1000) });
    await codes().issue(newer);
    // The older code is now just a wrong code for the newer one.
    expect(await codes().attempt(userId, "login", older.codeHash, later(2000))).toEqual({
      outcome: "rejected",
      codeId: newer.id,
      attemptsLeft: 4,
    });
    expect((await codes().attempt(userId, "login", newer.codeHash, later(2000))).outcome).toBe("accepted");
    expect((await codes().attempt(userId, "confirm", otherPurpose.codeHash, later(2000))).outcome).toBe(
      "accepted",
    );
    expect(await codes().latest(userId, later(2000), "login")).toMatchObject({ id: newer.id, state: "used" });
    expect(await codes().latest(userId, later(2000), "confirm")).toMatchObject({ id: otherPurpose.id });
  });

  it("never accepts a code for another user or another purpose", async () => {
    const [userId, otherId] = [await insertUser(db()), await insertUser(db())];
    const mine = newCode(userId);
    await codes().issue(mine);
    expect(await codes().attempt(otherId, "login", mine.codeHash, later(1000))).toEqual({
      outcome: "no_live_code",
    });
    const theirs = newCode(otherId);
    await codes().issue(theirs);
    expect(await codes().attempt(otherId, "login", mine.codeHash, later(1000))).toMatchObject({
      outcome: "rejected",
      codeId: theirs.id,
    });
    expect(await codes().attempt(userId, "confirm", mine.codeHash, later(1000))).toEqual({
      outcome: "no_live_code",
    });
    expect((await codes().latest(userId, later(1000)))?.attempts).toBe(0);
  });

  it("of 20 concurrent right answers, exactly one is accepted", async () => {
    const userId = await insertUser(db());
    const code = newCode(userId);
    await codes().issue(code);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => codes().attempt(userId, "login", code.codeHash, later(1000))),
    );
    expect(outcomes(results).filter((outcome) => outcome === "accepted")).toHaveLength(1);
    expect(outcomes(results).filter((outcome) => outcome === "no_live_code")).toHaveLength(19);
    expect(await codes().latest(userId, later(1000))).toMatchObject({ state: "used", attempts: 0 });
  });

  it("of 20 concurrent wrong answers, five count and the code dies", async () => {
    const userId = await insertUser(db());
    const code = newCode(userId);
    await codes().issue(code);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => codes().attempt(userId, "login", unique("x"), later(1000))),
    );
    const counted = results.flatMap((result) => (result.outcome === "rejected" ? [result.attemptsLeft] : []));
    expect(counted.sort()).toEqual([0, 1, 2, 3, 4]);
    expect(outcomes(results).filter((outcome) => outcome === "no_live_code")).toHaveLength(15);
    expect(await codes().attempt(userId, "login", code.codeHash, later(2000))).toEqual({
      outcome: "no_live_code",
    });
    expect(await codes().latest(userId, later(2000))).toMatchObject({ state: "dead", attempts: 5 });
  });

  it("of codes issued concurrently, only the latest ever works", async () => {
    const userId = await insertUser(db());
    const issued = Array.from({ length: 8 }, () => newCode(userId, { createdAt: later(1000) }));
    await Promise.all(issued.map((code) => codes().issue(code)));
    const latestId = issued
      .map((code) => code.id)
      .sort()
      .at(-1);
    const results: CodeAttempt[] = [];
    // A generous try limit so the seven stale codes cannot kill the live one first.
    for (const code of issued)
      results.push(await codes().attempt(userId, "login", code.codeHash, later(2000), 100));
    const accepted = results.filter((result) => result.outcome === "accepted");
    expect(accepted).toEqual([{ outcome: "accepted", codeId: latestId }]);
  });
});
