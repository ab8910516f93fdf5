import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/platform/clock";
import { base32Encode, base64UrlDecode, base64UrlEncode } from "../../src/platform/encoding";
import { newId } from "../../src/platform/ids";
import { cryptoRandom, type RandomSource } from "../../src/platform/random";
import { constantTimeEqual, generateSecret, hashSecret } from "../../src/platform/secrets";

const zeros: RandomSource = { bytes: (length) => new Uint8Array(length) };

describe("secrets", () => {
  it("generates prefix + 32 random bytes base64url (43 chars)", () => {
    const secret = generateSecret("eat", cryptoRandom);
    expect(secret).toMatch(/^eat_[A-Za-z0-9_-]{43}$/);
    expect(base64UrlDecode(secret.slice(4))).toHaveLength(32);
    expect(generateSecret("eat", cryptoRandom)).not.toBe(secret);
  });

  it("hashes with SHA-256 as hex", async () => {
    expect(await hashSecret("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("compares in constant time, including different lengths", async () => {
    expect(await constantTimeEqual("same", "same")).toBe(true);
    expect(await constantTimeEqual("same", "Same")).toBe(false);
    expect(await constantTimeEqual("short", "much longer value")).toBe(false);
    expect(await constantTimeEqual("", "")).toBe(true);
  });
});

describe("ids", () => {
  it("are prefixed, 26 base32 chars, ordered by time", () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const first = newId("user", clock, cryptoRandom);
    clock.advance(1);
    const second = newId("user", clock, cryptoRandom);
    expect(first).toMatch(/^usr_[0-9a-hjkmnp-tv-z]{26}$/);
    expect(second > first).toBe(true);
    expect(newId("invite", clock, cryptoRandom).startsWith("inv_")).toBe(true);
  });

  it("are deterministic under a deterministic random source", () => {
    const clock = new ManualClock(0);
    expect(newId("user", clock, zeros)).toBe(`usr_${"0".repeat(26)}`);
  });
});

describe("encoding", () => {
  it("round-trips base64url", () => {
    const bytes = crypto.getRandomValues(new Uint8Array(57));
    expect(base64UrlDecode(base64UrlEncode(bytes))).toEqual(bytes);
  });

  it("encodes Crockford base32", () => {
    expect(base32Encode(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff]))).toBe("zzzzzzzz");
  });
});
