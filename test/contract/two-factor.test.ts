import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { TwoFactorLockoutRepository } from "../../src/features/two-factor/lockout-repository";
import { type NewRecoveryCode, TwoFactorRepository } from "../../src/features/two-factor/repository";
import { generateTotpSecret } from "../../src/features/two-factor/totp";
import { base64UrlEncode } from "../../src/platform/encoding";
import { cryptoRandom } from "../../src/platform/random";
import { type Sealed, SecretBox } from "../../src/platform/secret-box";
import { hashSecret } from "../../src/platform/secrets";
import { describeOnEachDialect, unique } from "../helpers/dialects";
import { insertUser } from "../helpers/users";

const T0 = new Date(Date.UTC(2026, 0, 1));
const later = (ms: number) => new Date(T0.getTime() + ms);
const sealed = (): Sealed => ({ keyId: unique("key"), ciphertext: unique("ct") });
const recoveryCodes = (count = 3): NewRecoveryCode[] =>
  Array.from({ length: count }, () => ({ id: `rcv_${unique()}`, codeHash: unique("hash") }));

describeOnEachDialect("TwoFactorRepository", (db) => {
  const twoFactor = () => new TwoFactorRepository(db());

  it("stores a pending secret for a user without two-factor, off until enabled", async () => {
    const userId = await insertUser(db());
    expect(await twoFactor().findByUser(userId)).toBeUndefined();
    const pending = sealed();
    await twoFactor().savePendingSecret(userId, pending, T0);
    expect(await twoFactor().findByUser(userId)).toEqual({
      userId,
      secret: null,
      pendingSecret: pending,
      pendingCreatedAt: T0,
      enabledAt: null,
      method: "totp",
      lastUsedStep: null,
      createdAt: T0,
      updatedAt: T0,
    });
  });

  it("replaces an earlier pending secret and keeps the row's creation time", async () => {
    const userId = await insertUser(db());
    await twoFactor().savePendingSecret(userId, sealed(), T0);
    const newer = sealed();
    await twoFactor().savePendingSecret(userId, newer, later(1000));
    expect(await twoFactor().findByUser(userId)).toMatchObject({
      pendingSecret: newer,
      pendingCreatedAt: later(1000),
      createdAt: T0,
      updatedAt: later(1000),
    });
  });

  it("enables only the pending secret the code was checked against, once", async () => {
    const userId = await insertUser(db());
    const pending = sealed();
    await twoFactor().savePendingSecret(userId, pending, T0);
    expect(await twoFactor().enable(userId, "some-other-ciphertext", 100, later(1000))).toBe(false);
    expect((await twoFactor().findByUser(userId))?.enabledAt).toBeNull();

    expect(await twoFactor().enable(userId, pending.ciphertext, 100, later(1000))).toBe(true);
    expect(await twoFactor().findByUser(userId)).toMatchObject({
      secret: pending,
      pendingSecret: null,
      pendingCreatedAt: null,
      enabledAt: later(1000),
      method: "totp",
      lastUsedStep: 100,
      updatedAt: later(1000),
    });
    expect(await twoFactor().enable(userId, pending.ciphertext, 101, later(2000))).toBe(false);
    expect(await twoFactor().enable(await insertUser(db()), pending.ciphertext, 100, T0)).toBe(false);
  });

  it("keeps the active secret while a new one is pending, and swaps on enable", async () => {
    const userId = await insertUser(db());
    const first = sealed();
    await twoFactor().savePendingSecret(userId, first, T0);
    await twoFactor().enable(userId, first.ciphertext, 100, T0);
    const second = sealed();
    await twoFactor().savePendingSecret(userId, second, later(1000));
    expect(await twoFactor().findByUser(userId)).toMatchObject({ secret: first, pendingSecret: second });
    expect(await twoFactor().enable(userId, second.ciphertext, 200, later(2000))).toBe(true);
    expect(await twoFactor().findByUser(userId)).toMatchObject({ secret: second, pendingSecret: null });
  });

  it("of concurrent enables of one pending secret, exactly one wins", async () => {
    const userId = await insertUser(db());
    const pending = sealed();
    await twoFactor().savePendingSecret(userId, pending, T0);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        twoFactor().enable(userId, pending.ciphertext, 100 + i, later(1000)),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("accepts a TOTP step only when later than the last accepted one", async () => {
    const userId = await insertUser(db());
    const pending = sealed();
    await twoFactor().savePendingSecret(userId, pending, T0);
    expect(await twoFactor().acceptStep(userId, 50, T0)).toBe(true);
    await twoFactor().enable(userId, pending.ciphertext, 100, T0);
    expect(await twoFactor().acceptStep(userId, 100, T0)).toBe(false);
    expect(await twoFactor().acceptStep(userId, 99, T0)).toBe(false);
    expect(await twoFactor().acceptStep(userId, 101, T0)).toBe(true);
    expect(await twoFactor().acceptStep(userId, 101, T0)).toBe(false);
    expect(await twoFactor().acceptStep(userId, 100, T0)).toBe(false);
    expect((await twoFactor().findByUser(userId))?.lastUsedStep).toBe(101);
    expect(await twoFactor().acceptStep(await insertUser(db()), 500, T0)).toBe(false);
  });

  it("accepts neither a TOTP step nor a recovery code while the user is locked out", async () => {
    const userId = await insertUser(db());
    const pending = sealed();
    await twoFactor().savePendingSecret(userId, pending, T0);
    await twoFactor().enable(userId, pending.ciphertext, 100, T0);
    const codes = recoveryCodes(1);
    await twoFactor().replaceRecoveryCodes(userId, codes, T0);
    await new TwoFactorLockoutRepository(db()).lock(userId, later(60_000));
    expect(await twoFactor().acceptStep(userId, 101, later(1000))).toBe(false);
    expect(await twoFactor().useRecoveryCode(userId, codes[0]!.codeHash, later(1000))).toBe(false);
    expect(await twoFactor().acceptStep(userId, 101, later(60_000))).toBe(true);
    expect(await twoFactor().useRecoveryCode(userId, codes[0]!.codeHash, later(60_000))).toBe(true);
  });

  it("of 20 concurrent logins with the same step, exactly one is accepted", async () => {
    const userId = await insertUser(db());
    const pending = sealed();
    await twoFactor().savePendingSecret(userId, pending, T0);
    await twoFactor().enable(userId, pending.ciphertext, 58_000_000, T0);
    const step = 58_000_001;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => twoFactor().acceptStep(userId, step, T0)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await twoFactor().acceptStep(userId, step - 1, T0)).toBe(false);
    expect((await twoFactor().findByUser(userId))?.lastUsedStep).toBe(step);
  });

  it("replaces recovery codes as a set: the old ones stop working", async () => {
    const userId = await insertUser(db());
    const first = recoveryCodes(10);
    await twoFactor().replaceRecoveryCodes(userId, first, T0);
    expect(await twoFactor().countUnusedRecoveryCodes(userId)).toBe(10);
    const second = recoveryCodes(10);
    await twoFactor().replaceRecoveryCodes(userId, second, later(1000));
    expect(await twoFactor().countUnusedRecoveryCodes(userId)).toBe(10);
    expect(await twoFactor().useRecoveryCode(userId, first[0]!.codeHash, later(2000))).toBe(false);
    expect(await twoFactor().useRecoveryCode(userId, second[0]!.codeHash, later(2000))).toBe(true);
  });

  it("replaces recovery codes all-or-nothing: a failing insert keeps the old set", async () => {
    const userId = await insertUser(db());
    const old = recoveryCodes(3);
    await twoFactor().replaceRecoveryCodes(userId, old, T0);
    const [a, b] = recoveryCodes(2);
    const clashing = [a!, { ...b!, codeHash: a!.codeHash }];
    await expect(twoFactor().replaceRecoveryCodes(userId, clashing, later(1000))).rejects.toThrow();
    expect(await twoFactor().countUnusedRecoveryCodes(userId)).toBe(3);
    expect(await twoFactor().useRecoveryCode(userId, old[2]!.codeHash, later(2000))).toBe(true);
  });

  it("uses a recovery code once, only for its own user", async () => {
    const [userId, otherId] = [await insertUser(db()), await insertUser(db())];
    const codes = recoveryCodes(3);
    await twoFactor().replaceRecoveryCodes(userId, codes, T0);
    expect(await twoFactor().useRecoveryCode(otherId, codes[0]!.codeHash, later(1000))).toBe(false);
    expect(await twoFactor().useRecoveryCode(userId, codes[0]!.codeHash, later(1000))).toBe(true);
    expect(await twoFactor().useRecoveryCode(userId, codes[0]!.codeHash, later(2000))).toBe(false);
    expect(await twoFactor().useRecoveryCode(userId, unique("hash"), later(2000))).toBe(false);
    expect(await twoFactor().countUnusedRecoveryCodes(userId)).toBe(2);
    expect(await twoFactor().countUnusedRecoveryCodes(otherId)).toBe(0);
  });

  it("uses a recovery code whose hash is any of several candidates (a digest per configured key)", async () => {
    const userId = await insertUser(db());
    const codes = recoveryCodes(2);
    await twoFactor().replaceRecoveryCodes(userId, codes, T0);
    const candidates = [unique("under-new-key"), codes[1]!.codeHash];
    expect(await twoFactor().useRecoveryCode(userId, candidates, later(1000))).toBe(true);
    expect(await twoFactor().useRecoveryCode(userId, candidates, later(2000))).toBe(false);
    expect(await twoFactor().useRecoveryCode(userId, [unique("a"), unique("b")], later(2000))).toBe(false);
    expect(await twoFactor().countUnusedRecoveryCodes(userId)).toBe(1);
    await expect(twoFactor().useRecoveryCode(userId, [], later(2000))).rejects.toThrow(RangeError);
  });

  it("turns e-mail two-factor on once, only while two-factor is off, dropping a pending secret", async () => {
    const userId = await insertUser(db());
    await twoFactor().savePendingSecret(userId, sealed(), T0);
    expect(await twoFactor().enableEmail(userId, later(1000))).toBe(true);
    expect(await twoFactor().findByUser(userId)).toMatchObject({
      secret: null,
      pendingSecret: null,
      pendingCreatedAt: null,
      enabledAt: later(1000),
      method: "email",
      lastUsedStep: null,
      createdAt: T0,
      updatedAt: later(1000),
    });
    expect(await twoFactor().enableEmail(userId, later(2000))).toBe(false);
    expect((await twoFactor().findByUser(userId))?.enabledAt).toEqual(later(1000));

    // Without a row yet, and never over TOTP that is on.
    const fresh = await insertUser(db());
    expect(await twoFactor().enableEmail(fresh, T0)).toBe(true);
    expect(await twoFactor().findByUser(fresh)).toMatchObject({
      method: "email",
      enabledAt: T0,
      createdAt: T0,
    });
    const withTotp = await insertUser(db());
    const pending = sealed();
    await twoFactor().savePendingSecret(withTotp, pending, T0);
    await twoFactor().enable(withTotp, pending.ciphertext, 100, T0);
    expect(await twoFactor().enableEmail(withTotp, later(1000))).toBe(false);
    expect(await twoFactor().findByUser(withTotp)).toMatchObject({ method: "totp", secret: pending });
  });

  it("of concurrent e-mail enables, exactly one wins", async () => {
    const userId = await insertUser(db());
    const results = await Promise.all(Array.from({ length: 10 }, () => twoFactor().enableEmail(userId, T0)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("of 20 concurrent uses of one recovery code, exactly one wins", async () => {
    const userId = await insertUser(db());
    const codes = recoveryCodes(2);
    await twoFactor().replaceRecoveryCodes(userId, codes, T0);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => twoFactor().useRecoveryCode(userId, codes[1]!.codeHash, later(1000))),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await twoFactor().countUnusedRecoveryCodes(userId)).toBe(1);
  });

  it("disables: removes the row and every recovery code of that user only", async () => {
    const [userId, otherId] = [await insertUser(db()), await insertUser(db())];
    for (const id of [userId, otherId]) {
      const pending = sealed();
      await twoFactor().savePendingSecret(id, pending, T0);
      await twoFactor().enable(id, pending.ciphertext, 100, T0);
      await twoFactor().replaceRecoveryCodes(id, recoveryCodes(3), T0);
    }
    expect(await twoFactor().disable(userId)).toBe(true);
    expect(await twoFactor().findByUser(userId)).toBeUndefined();
    expect(await twoFactor().countUnusedRecoveryCodes(userId)).toBe(0);
    expect(await twoFactor().disable(userId)).toBe(false);
    expect((await twoFactor().findByUser(otherId))?.enabledAt).toEqual(T0);
    expect(await twoFactor().countUnusedRecoveryCodes(otherId)).toBe(3);
  });

  it("goes with its user: deleting the user deletes the row and the codes", async () => {
    const userId = await insertUser(db());
    await twoFactor().savePendingSecret(userId, sealed(), T0);
    await twoFactor().replaceRecoveryCodes(userId, recoveryCodes(2), T0);
    await db().run(sql`DELETE FROM users WHERE id = ${userId}`);
    expect(await twoFactor().findByUser(userId)).toBeUndefined();
    expect(await twoFactor().countUnusedRecoveryCodes(userId)).toBe(0);
  });

  it("never holds the TOTP secret or a recovery code in clear", async () => {
    const userId = await insertUser(db());
    const secret = generateTotpSecret(cryptoRandom);
    const box = await SecretBox.fromKeys(base64UrlEncode(crypto.getRandomValues(new Uint8Array(32))));
    const pending = await box.encrypt(secret, userId);
    await twoFactor().savePendingSecret(userId, pending, T0);
    await twoFactor().enable(userId, pending.ciphertext, 100, T0);
    const recoveryCode = "abcde12345";
    await twoFactor().replaceRecoveryCodes(
      userId,
      [{ id: `rcv_${unique()}`, codeHash: await hashSecret(recoveryCode) }],
      T0,
    );
    const rows = [
      await db().first(sql`SELECT * FROM two_factor WHERE user_id = ${userId}`),
      ...(await db().all(sql`SELECT * FROM recovery_codes WHERE user_id = ${userId}`)),
    ];
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(recoveryCode);
    const record = await twoFactor().findByUser(userId);
    expect(await box.decrypt(record!.secret!, userId)).toBe(secret);
  });
});
