import { describe, expect, it } from "vitest";
import { argon2idHash, argon2idVerify } from "../../src/platform/argon2";
import { MIN_ARGON2_PARAMS, minArgon2Params, PasswordHasher } from "../../src/platform/password";
import { cryptoRandom } from "../../src/platform/random";
import vectors from "../fixtures/argon2-vectors.json";

// Vectors come from the reference argon2 CLI (scripts/argon2-vectors.sh), an implementation
// independent of the wasm build; these tests run inside workerd.
describe("Argon2id against the reference CLI", () => {
  it.each(vectors)(
    "hashes $password (t=$iterations m=$memoryKib p=$parallelism) exactly as the CLI",
    (vector) => {
      const salt = new TextEncoder().encode(vector.salt);
      const params = {
        memoryKib: vector.memoryKib,
        iterations: vector.iterations,
        parallelism: vector.parallelism,
      };
      expect(argon2idHash(vector.password, salt, params)).toBe(vector.encoded);
    },
  );

  it.each(vectors)("verifies the CLI's hash of $password", (vector) => {
    expect(argon2idVerify(vector.encoded, vector.password)).toBe(true);
    expect(argon2idVerify(vector.encoded, `${vector.password}x`)).toBe(false);
  });

  it("hashes the UTF-8 bytes of non-ASCII passwords, not a UTF-16-length prefix", () => {
    const salt = new TextEncoder().encode("saltsaltsalt");
    const a = argon2idHash("ééééééééé-a", salt, MIN_ARGON2_PARAMS);
    const b = argon2idHash("ééééééééé-b", salt, MIN_ARGON2_PARAMS);
    expect(a).not.toBe(b);
  });

  it("rejects malformed and non-argon2id strings without throwing", () => {
    for (const bad of ["", "$argon2i$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$PL01", "$argon2id$garbage", "plain"]) {
      expect(argon2idVerify(bad, "password")).toBe(false);
    }
  });
});

describe("PasswordHasher", () => {
  const hasher = new PasswordHasher(MIN_ARGON2_PARAMS, cryptoRandom);

  it("produces salted PHC strings at the configured parameters that verify", () => {
    const first = hasher.hash("correct horse battery staple");
    const second = hasher.hash("correct horse battery staple");
    expect(first).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(first).not.toBe(second);
    expect(hasher.verify(first, "correct horse battery staple")).toEqual({ valid: true, needsRehash: false });
    expect(hasher.verify(first, "wrong")).toEqual({ valid: false, needsRehash: false });
  });

  it("asks for a rehash when the stored parameters differ from the current ones", () => {
    const stronger = new PasswordHasher({ memoryKib: 32768, iterations: 3, parallelism: 1 }, cryptoRandom);
    const old = hasher.hash("pw-to-upgrade");
    expect(stronger.verify(old, "pw-to-upgrade")).toEqual({ valid: true, needsRehash: true });
    const upgraded = stronger.hash("pw-to-upgrade");
    expect(upgraded).toContain("m=32768,t=3,p=1");
    expect(stronger.verify(upgraded, "pw-to-upgrade")).toEqual({ valid: true, needsRehash: false });
  });

  it("refuses parameters below the OWASP minimum", () => {
    expect(
      () => new PasswordHasher({ memoryKib: 19455, iterations: 2, parallelism: 1 }, cryptoRandom),
    ).toThrow();
    expect(
      () => new PasswordHasher({ memoryKib: 19456, iterations: 1, parallelism: 1 }, cryptoRandom),
    ).toThrow();
  });

  it("goes below it only with the test environment's floor, never below Argon2's own", () => {
    const cheap = { memoryKib: 8, iterations: 1, parallelism: 1 };
    for (const environment of ["development", "staging", "production"]) {
      expect(() => new PasswordHasher(cheap, cryptoRandom, minArgon2Params(environment))).toThrow();
    }
    const hasher = new PasswordHasher(cheap, cryptoRandom, minArgon2Params("test"));
    expect(hasher.verify(hasher.hash("cheap under test"), "cheap under test").valid).toBe(true);
    expect(
      () => new PasswordHasher({ ...cheap, memoryKib: 7 }, cryptoRandom, minArgon2Params("test")),
    ).toThrow();
  });
});
