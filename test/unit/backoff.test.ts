import { describe, expect, it } from "vitest";
import { isFinalAttempt, retryDelaySeconds } from "../../src/platform/backoff";
import { cryptoRandom, type RandomSource } from "../../src/platform/random";

const constant = (byte: number): RandomSource => ({ bytes: (length) => new Uint8Array(length).fill(byte) });
const policy = { baseSeconds: 60, maxSeconds: 3600 };

describe("retryDelaySeconds", () => {
  it("doubles per attempt, half fixed and half jitter", () => {
    // Lowest jitter: exactly half the exponential delay; highest: just under all of it.
    expect([1, 2, 3, 4, 5].map((attempts) => retryDelaySeconds(attempts, constant(0), policy))).toEqual([
      30, 60, 120, 240, 480,
    ]);
    expect([1, 2, 3, 4, 5].map((attempts) => retryDelaySeconds(attempts, constant(0xff), policy))).toEqual([
      60, 120, 240, 480, 960,
    ]);
    // 0x80808080 / 2^32 ≈ 0.502: 30 + 0.502 · 30 = 45.06, rounded up.
    expect(retryDelaySeconds(1, constant(0x80), policy)).toBe(46);
  });

  it("is capped, and stays within bounds for any random input", () => {
    expect(retryDelaySeconds(20, constant(0xff), policy)).toBe(3600);
    expect(retryDelaySeconds(1000, constant(0), policy)).toBe(1800);
    for (let i = 0; i < 200; i++) {
      const attempts = 1 + (i % 8);
      const ceiling = Math.min(3600, 60 * 2 ** (attempts - 1));
      const delay = retryDelaySeconds(attempts, cryptoRandom, policy);
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delay).toBeLessThanOrEqual(ceiling);
    }
  });
});

describe("isFinalAttempt", () => {
  it("is the delivery after the last retry: attempt max_retries + 1", () => {
    expect(isFinalAttempt(5, 5)).toBe(false);
    expect(isFinalAttempt(6, 5)).toBe(true);
    expect(isFinalAttempt(1, 0)).toBe(true);
  });
});
