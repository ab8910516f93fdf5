import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  API_TOKEN_PREFIX,
  checkApiTokenFormat,
  generateApiToken,
  looksLikeApiToken,
} from "../../../src/features/api-tokens/token-format";
import { base64UrlDecode } from "../../../src/platform/encoding";
import { cryptoRandom, type RandomSource } from "../../../src/platform/random";

/** A source that hands out `bytes` (cycled) and records what was asked of it. */
function fixedRandom(bytes: Uint8Array): RandomSource & { requests: number[] } {
  const requests: number[] = [];
  return {
    requests,
    bytes(length) {
      requests.push(length);
      return Uint8Array.from({ length }, (_, index) => bytes[index % bytes.length]!);
    },
  };
}

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
// Everything a typo, a copy-paste or a hostile caller might put in place of one character.
const REPLACEMENTS = [...BASE64URL, ".", "=", "+", "/", " ", "\n", "é", "\u0000"];
const thirtyTwoBytes = fc.uint8Array({ minLength: 32, maxLength: 32 });

// Known answers computed outside this codebase (Python: base64.urlsafe_b64encode, zlib.crc32, a base62
// encoder over 0-9A-Za-z, hashlib.sha256).
const ZERO_BYTES_TOKEN = "eat_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA136x1a";
const ZERO_BYTES_TOKEN_SHA256 = "e289258d2a96db8c1e8d9439ed4ad84a378c938d19827ecc970f3b9ce8c73189";
const COUNTING_BYTES_TOKEN = "eat_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh840U0bx";

describe("generateApiToken", () => {
  it("produces the known token, start and hash for known bytes", async () => {
    const zeros = fixedRandom(new Uint8Array(1));
    expect(await generateApiToken(zeros)).toEqual({
      token: ZERO_BYTES_TOKEN,
      start: "eat_AAAAAA",
      hash: ZERO_BYTES_TOKEN_SHA256,
    });
    expect(zeros.requests).toEqual([32]);
    const counting = await generateApiToken(fixedRandom(Uint8Array.from({ length: 32 }, (_, i) => i)));
    expect(counting.token).toBe(COUNTING_BYTES_TOKEN);
    expect(counting.start).toBe("eat_AAECAw");
  });

  it("is eat_ + 43 base64url characters of 32 random bytes + 6 base62 checksum characters", async () => {
    const { token, start, hash } = await generateApiToken(cryptoRandom);
    expect(API_TOKEN_PREFIX).toBe("eat");
    expect(token).toHaveLength(53);
    expect(token).toMatch(/^eat_[A-Za-z0-9_-]{43}[0-9A-Za-z]{6}$/);
    const randomPart = token.slice(4, 47);
    expect(randomPart).toHaveLength(43);
    expect(base64UrlDecode(randomPart)).toHaveLength(32);
    expect(start).toBe(token.slice(0, 10));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(token.slice(4, 47));
    expect((await generateApiToken(cryptoRandom)).token).not.toBe(token);
  });

  it("always generates tokens that pass the format check", async () => {
    await fc.assert(
      fc.asyncProperty(thirtyTwoBytes, async (bytes) => {
        const { token } = await generateApiToken(fixedRandom(bytes));
        expect(checkApiTokenFormat(token)).toBe("ok");
        expect(looksLikeApiToken(token)).toBe(true);
      }),
    );
  });
});

describe("checkApiTokenFormat", () => {
  it("accepts the known tokens", () => {
    expect(checkApiTokenFormat(ZERO_BYTES_TOKEN)).toBe("ok");
    expect(checkApiTokenFormat(COUNTING_BYTES_TOKEN)).toBe("ok");
  });

  it("refuses any single-character change, by format or by checksum", async () => {
    await fc.assert(
      fc.asyncProperty(
        thirtyTwoBytes,
        fc.nat({ max: 52 }),
        fc.constantFrom(...REPLACEMENTS),
        async (bytes, position, replacement) => {
          const { token } = await generateApiToken(fixedRandom(bytes));
          fc.pre(token[position] !== replacement);
          const changed = `${token.slice(0, position)}${replacement}${token.slice(position + 1)}`;
          expect(["malformed", "bad_checksum"]).toContain(checkApiTokenFormat(changed));
        },
      ),
    );
  });

  it("names a well-formed typo in the random part or the checksum a bad checksum", async () => {
    await fc.assert(
      fc.asyncProperty(
        thirtyTwoBytes,
        fc.oneof(
          fc.record({
            position: fc.integer({ min: 4, max: 45 }),
            replacement: fc.constantFrom(...BASE64URL),
          }),
          fc.record({ position: fc.integer({ min: 47, max: 52 }), replacement: fc.constantFrom(...BASE62) }),
        ),
        async (bytes, { position, replacement }) => {
          const { token } = await generateApiToken(fixedRandom(bytes));
          fc.pre(token[position] !== replacement);
          const changed = `${token.slice(0, position)}${replacement}${token.slice(position + 1)}`;
          expect(checkApiTokenFormat(changed)).toBe("bad_checksum");
        },
      ),
    );
  });

  it("calls malformed what has the wrong length, prefix or alphabet", () => {
    const body = ZERO_BYTES_TOKEN.slice(4);
    for (const text of [
      "",
      "eat_",
      ZERO_BYTES_TOKEN.slice(0, -1),
      `${ZERO_BYTES_TOKEN}A`,
      `${ZERO_BYTES_TOKEN}\n`,
      ` ${ZERO_BYTES_TOKEN}`,
      `ghp_${body}`,
      `EAT_${body}`,
      `eat-${body}`,
      `${ZERO_BYTES_TOKEN.slice(0, 10)}+${ZERO_BYTES_TOKEN.slice(11)}`,
      `${ZERO_BYTES_TOKEN.slice(0, 48)}-${ZERO_BYTES_TOKEN.slice(49)}`,
      // Well formed but for its last random character, which 32 bytes can never encode to (its
      // checksum is right): not a token we generated.
      "eat_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB2w1iAW",
    ]) {
      expect(checkApiTokenFormat(text), JSON.stringify(text)).toBe("malformed");
    }
  });

  // The bound on work is by construction (length compared before any scan); workerd freezes
  // performance.now() between I/O, so a timing assertion here would prove nothing.
  it("calls a 10 kB string malformed, even one that starts with a valid token", () => {
    expect(checkApiTokenFormat(`${ZERO_BYTES_TOKEN}${"A".repeat(10_000)}`)).toBe("malformed");
    expect(checkApiTokenFormat(`eat_${"A".repeat(10_240)}`)).toBe("malformed");
  });

  it("never throws on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80, unit: "grapheme" }), (text) => {
        expect(["ok", "malformed", "bad_checksum"]).toContain(checkApiTokenFormat(text));
      }),
    );
  });
});

describe("looksLikeApiToken", () => {
  it("looks at the prefix only", () => {
    expect(looksLikeApiToken(ZERO_BYTES_TOKEN)).toBe(true);
    expect(looksLikeApiToken("eat_not-checked-here")).toBe(true);
    expect(looksLikeApiToken("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c3IifQ.c2ln")).toBe(false);
    expect(looksLikeApiToken("eat")).toBe(false);
    expect(looksLikeApiToken("EAT_AAAA")).toBe(false);
    expect(looksLikeApiToken("")).toBe(false);
  });
});
