import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  generateNumericCode,
  generateRecoveryCodes,
  normalizeRecoveryCode,
} from "../../../src/features/two-factor/codes";
import { cryptoRandom, type RandomSource } from "../../../src/platform/random";

const CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz";
const RECOVERY_FORMAT = /^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/;
// Chi-square critical values at p = 1e-6: a correct generator fails these about once in a million runs.
const CHI_SQUARE_DF9 = 44.81;
const CHI_SQUARE_DF31 = 83.64;
const CHI_SQUARE_DF99 = 180.79;

const filled = (byte: number): RandomSource => ({ bytes: (length) => new Uint8Array(length).fill(byte) });

/** Hands out the given 32-bit draws in order (big-endian), counting how many were taken. */
function draws(values: number[]): RandomSource & { taken: () => number } {
  let next = 0;
  return {
    bytes(length) {
      expect(length).toBe(4);
      const value = values[next++];
      if (value === undefined) throw new Error("no draws left");
      return new Uint8Array([value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255]);
    },
    taken: () => next,
  };
}

function chiSquare(counts: number[]): number {
  const total = counts.reduce((sum, count) => sum + count, 0);
  const expected = total / counts.length;
  return counts.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
}

describe("generateRecoveryCodes", () => {
  it("makes ten distinct xxxxx-xxxxx Crockford codes", () => {
    const codes = generateRecoveryCodes(cryptoRandom);
    expect(codes).toHaveLength(10);
    for (const code of codes) expect(code).toMatch(RECOVERY_FORMAT);
    expect(new Set(codes).size).toBe(10);
    expect(generateRecoveryCodes(cryptoRandom, 3)).toHaveLength(3);
  });

  it("takes the first 50 bits of each draw", () => {
    expect(generateRecoveryCodes(filled(0), 1)).toEqual(["00000-00000"]);
    expect(generateRecoveryCodes(filled(0xff), 1)).toEqual(["zzzzz-zzzzz"]);
    // 0x08 0x42 0x10 0x84 0x21 … is the bit pattern 00001 repeated: every character is "1".
    const ones: RandomSource = { bytes: () => new Uint8Array([0x08, 0x42, 0x10, 0x84, 0x21, 0x08, 0x42]) };
    expect(generateRecoveryCodes(ones, 2)).toEqual(["11111-11111", "11111-11111"]);
  });

  it("uses every Crockford symbol about equally in every position", () => {
    const codes = generateRecoveryCodes(cryptoRandom, 3200).map((code) => code.replace("-", ""));
    for (let position = 0; position < 10; position++) {
      const counts = new Array<number>(32).fill(0);
      for (const code of codes) counts[CROCKFORD.indexOf(code[position]!)]!++;
      expect(chiSquare(counts), `position ${position}`).toBeLessThan(CHI_SQUARE_DF31);
    }
  });
});

describe("normalizeRecoveryCode", () => {
  it("accepts the code as shown, in any case, with or without spaces and hyphens", () => {
    for (const input of [
      "abcde-fghjk",
      "ABCDE-FGHJK",
      "abcdefghjk",
      " abcde fghjk ",
      "ab-cd-ef-gh-jk",
      "AbCdE\tFgHjK",
    ]) {
      expect(normalizeRecoveryCode(input), input).toBe("abcdefghjk");
    }
  });

  it("reads the Crockford confusables I and L as 1 and O as 0", () => {
    expect(normalizeRecoveryCode("IiLlO-o0123")).toBe("1111000123");
  });

  it("returns null for anything that cannot be a recovery code", () => {
    for (const input of [
      "",
      "abcde-fghj",
      "abcde-fghjkm",
      "abcde-fghju",
      "abcde_fghjk",
      "ábcde-fghjk",
      "abcde-fghj\u0000",
      "a".repeat(65),
      "-".repeat(10_000),
      `abcde-fghjk${" ".repeat(100_000)}`,
      null as unknown as string,
    ]) {
      expect(normalizeRecoveryCode(input)).toBeNull();
    }
  });

  it("gives back every generated code however it is retyped (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }),
        fc.constantFrom("", " ", "-", "  "),
        (upper, gap) => {
          const [code] = generateRecoveryCodes(cryptoRandom, 1);
          const canonical = code!.replace("-", "");
          const retyped = [...canonical].map((char, i) => (upper[i] ? char.toUpperCase() : char)).join(gap);
          return normalizeRecoveryCode(retyped) === canonical && normalizeRecoveryCode(code!) === canonical;
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("generateNumericCode", () => {
  // 2^32 - (2^32 mod 10^6): the first draw of the incomplete last block of 10^6 values.
  const LIMIT_SIX_DIGITS = 4_294_000_000;

  it("keeps leading zeros and the requested length", () => {
    expect(generateNumericCode(draws([42]))).toBe("000042");
    expect(generateNumericCode(draws([1_000_007]))).toBe("000007");
    expect(generateNumericCode(draws([123]), 8)).toBe("00000123");
    expect(generateNumericCode(cryptoRandom)).toMatch(/^[0-9]{6}$/);
    expect(generateNumericCode(cryptoRandom, 9)).toMatch(/^[0-9]{9}$/);
  });

  it("rejects draws from the incomplete last block and draws again", () => {
    const source = draws([0xffff_ffff, LIMIT_SIX_DIGITS, LIMIT_SIX_DIGITS - 1]);
    expect(generateNumericCode(source)).toBe("999999");
    expect(source.taken()).toBe(3);
    const oneDigit = draws([0xffff_fffa, 0xffff_fff9]);
    // 2^32 mod 10 = 6: the six draws from 0xfffffffa are rejected, 0xfffffff9 is the last accepted.
    expect(generateNumericCode(oneDigit, 1)).toBe(String(0xffff_fff9 % 10));
    expect(oneDigit.taken()).toBe(2);
  });

  it("refuses lengths it cannot draw uniformly", () => {
    for (const digits of [0, 10, 1.5, -1])
      expect(() => generateNumericCode(cryptoRandom, digits)).toThrow(RangeError);
  });

  it("spreads codes evenly: every digit position, and the leading two digits", () => {
    const codes = Array.from({ length: 50_000 }, () => generateNumericCode(cryptoRandom));
    for (let position = 0; position < 6; position++) {
      const counts = new Array<number>(10).fill(0);
      for (const code of codes) counts[Number(code[position])]!++;
      expect(chiSquare(counts), `position ${position}`).toBeLessThan(CHI_SQUARE_DF9);
    }
    const leading = new Array<number>(100).fill(0);
    for (const code of codes) leading[Number(code.slice(0, 2))]!++;
    expect(chiSquare(leading)).toBeLessThan(CHI_SQUARE_DF99);
  });
});
