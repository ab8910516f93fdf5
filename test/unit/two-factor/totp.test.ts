import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  generateTotpSecret,
  matchTotp,
  totpCode,
  totpStep,
  totpUri,
} from "../../../src/features/two-factor/totp";
import { cryptoRandom, type RandomSource } from "../../../src/platform/random";

// RFC 6238 Appendix B: the SHA-1 seed is the 20 ASCII bytes "12345678901234567890".
const RFC_SECRET_ASCII = "12345678901234567890";
const RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const RFC_SHA1_VECTORS: Array<[seconds: number, code: string]> = [
  [59, "94287082"],
  [1111111109, "07081804"],
  [1111111111, "14050471"],
  [1234567890, "89005924"],
  [2000000000, "69279037"],
  [20000000000, "65353130"],
];

const bytesOf = (text: string): RandomSource => ({
  bytes: (length) => new TextEncoder().encode(text).slice(0, length),
});

const NOW = Date.UTC(2026, 0, 1, 12, 0, 10);
const STEP = totpStep(NOW);
const secret = generateTotpSecret(cryptoRandom);

describe("generateTotpSecret", () => {
  it("is 20 random bytes as RFC 4648 base32", () => {
    expect(generateTotpSecret(bytesOf(RFC_SECRET_ASCII))).toBe(RFC_SECRET);
    expect(generateTotpSecret({ bytes: (length) => new Uint8Array(length) })).toBe("A".repeat(32));
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(generateTotpSecret(cryptoRandom)).not.toBe(secret);
  });
});

describe("totpCode", () => {
  it.each(RFC_SHA1_VECTORS)("matches RFC 6238 Appendix B at T=%i s", (seconds, code) => {
    expect(totpCode(RFC_SECRET, totpStep(seconds * 1000), 8)).toBe(code);
  });

  it("gives six digits by default, keeping leading zeros", () => {
    // The six-digit code is the last six digits of the eight-digit one (same HOTP value).
    expect(totpCode(RFC_SECRET, totpStep(1111111109_000))).toBe("081804");
    expect(totpCode(RFC_SECRET, totpStep(59_000))).toBe("287082");
  });
});

describe("totpUri", () => {
  it("is the otpauth key URI with issuer, label and every parameter explicit", () => {
    const uri = totpUri({ secret: RFC_SECRET, issuer: "Edge Auth", account: "ana@example.com" });
    expect(uri).toBe(
      `otpauth://totp/Edge%20Auth:ana%40example.com?issuer=Edge%20Auth&secret=${RFC_SECRET}&algorithm=SHA1&digits=6&period=30`,
    );
    const parsed = new URL(uri);
    expect(parsed.searchParams.get("issuer")).toBe("Edge Auth");
    expect(parsed.searchParams.get("secret")).toBe(RFC_SECRET);
  });

  it("refuses a colon in the issuer or the account (it separates them in the label)", () => {
    expect(() => totpUri({ secret: RFC_SECRET, issuer: "Edge:Auth", account: "ana" })).toThrow(/':'/);
    expect(() => totpUri({ secret: RFC_SECRET, issuer: "Edge Auth", account: "a:b" })).toThrow(/':'/);
  });
});

describe("matchTotp", () => {
  it("returns the matched step for the current step and one step either side", () => {
    for (const offset of [-1, 0, 1]) {
      expect(matchTotp(secret, totpCode(secret, STEP + offset), NOW)).toBe(STEP + offset);
    }
  });

  it("refuses codes two and three steps away", () => {
    for (const offset of [-3, -2, 2, 3]) {
      const code = totpCode(secret, STEP + offset);
      const nearby = [-1, 0, 1].map((near) => totpCode(secret, STEP + near));
      // A six-digit code can repeat within a few steps (chance about 1e-6); then it is rightly accepted.
      if (!nearby.includes(code)) expect(matchTotp(secret, code, NOW)).toBeNull();
    }
    expect(matchTotp(RFC_SECRET, "287082", 59_000 + 2 * 30_000)).toBeNull();
    expect(matchTotp(RFC_SECRET, "287082", 59_000 + 30_000)).toBe(1);
  });

  it("honours the window: 0 is the current step only, 3 reaches three steps", () => {
    expect(matchTotp(secret, totpCode(secret, STEP), NOW, 0)).toBe(STEP);
    expect(matchTotp(secret, totpCode(secret, STEP + 3), NOW, 3)).toBe(STEP + 3);
  });

  it("refuses a well-formed code that is none of the window's", () => {
    const window = [-1, 0, 1].map((offset) => totpCode(secret, STEP + offset));
    const wrong = ["000000", "123456", "999999", "424242"].find((code) => !window.includes(code))!;
    expect(matchTotp(secret, wrong, NOW)).toBeNull();
  });

  it("returns null, never throws, for anything but six ASCII digits", () => {
    const right = totpCode(secret, STEP);
    const malformed = [
      "",
      right.slice(0, 5),
      `${right}0`,
      `${right.slice(0, 2)}a${right.slice(3)}`,
      ` ${right}`,
      `${right} `,
      `${right}\n`,
      `+${right.slice(1)}`,
      "１２３４５６",
      "1".repeat(10_000),
      `${right}${"x".repeat(10_000)}`,
      null as unknown as string,
      123456 as unknown as string,
    ];
    for (const code of malformed) expect(matchTotp(secret, code, NOW)).toBeNull();
  });

  it("returns the later step when two steps of the window share a code", () => {
    // Over 4,001 steps a repeated six-digit code is all but certain (birthday bound).
    const window = 2000;
    const seen = new Map<string, number>();
    let repeated: { code: string; earlier: number; later: number } | undefined;
    for (let step = STEP - window; step <= STEP + window && !repeated; step++) {
      const code = totpCode(RFC_SECRET, step);
      const earlier = seen.get(code);
      if (earlier !== undefined) repeated = { code, earlier, later: step };
      seen.set(code, step);
    }
    expect(repeated).toBeDefined();
    expect(matchTotp(RFC_SECRET, repeated!.code, NOW, window)).toBe(repeated!.later);
  });

  it("accepts exactly the codes of the window, for any time within a step (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 29_999 }),
        fc.integer({ min: -3, max: 3 }),
        (withinStep, offset) => {
          const now = STEP * 30_000 + withinStep;
          const code = totpCode(secret, STEP + offset);
          const matched = matchTotp(secret, code, now);
          if (Math.abs(offset) <= 1) return matched === STEP + offset;
          return matched === null || totpCode(secret, matched) === code;
        },
      ),
      { numRuns: 300 },
    );
  });

  it("returns null for arbitrary strings that are not six digits (property)", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 64 }).filter((text) => !/^[0-9]{6}$/.test(text)),
        (text) => matchTotp(secret, text, NOW) === null,
      ),
      { numRuns: 500 },
    );
  });
});
