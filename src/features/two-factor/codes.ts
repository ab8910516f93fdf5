import { base32Encode } from "../../platform/encoding";
import type { RandomSource } from "../../platform/random";

/** How many recovery codes a set holds. */
export const RECOVERY_CODE_COUNT = 10;

const RECOVERY_CODE_CHARS = 10;
// 7 bytes give 56 bits; the first 10 Crockford characters use 50 of them, each bit uniform.
const RECOVERY_CODE_BYTES = 7;
const CROCKFORD_CODE = /^[0-9a-hjkmnp-tv-z]{10}$/;
// Generous room for spaces, hyphens and a typo or two; anything longer is not worth looking at.
const MAX_RECOVERY_INPUT = 64;

/**
 * A set of single-use recovery codes: 10 Crockford base32 characters (50 random bits) each, shown
 * as `xxxxx-xxxxx`. Store only `hashSecret(normalizeRecoveryCode(code))`.
 */
export function generateRecoveryCodes(random: RandomSource, count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    const chars = base32Encode(random.bytes(RECOVERY_CODE_BYTES)).slice(0, RECOVERY_CODE_CHARS);
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/**
 * The canonical form of a typed recovery code (10 lower-case Crockford characters, no hyphen), or
 * null when it cannot be one. Case-insensitive; spaces and hyphens are ignored; the confusables
 * I and L read as 1, O as 0 (Crockford's decoding rules). Input longer than 64 characters is null
 * before any other work.
 */
export function normalizeRecoveryCode(input: string): string | null {
  if (typeof input !== "string" || input.length > MAX_RECOVERY_INPUT) return null;
  const candidate = input.toLowerCase().replace(/[\s-]/g, "").replace(/[il]/g, "1").replace(/o/g, "0");
  return CROCKFORD_CODE.test(candidate) ? candidate : null;
}

// 10^9 is the largest power of ten below 2^32: one 32-bit draw covers up to 9 digits.
const MAX_NUMERIC_DIGITS = 9;
const UINT32_RANGE = 2 ** 32;

/**
 * A uniformly random numeric code of `digits` digits (leading zeros kept), e.g. an e-mailed
 * second-factor code. Draws 32 bits and rejects draws from the incomplete last block of the
 * range, so no code is more likely than another (no modulo bias).
 */
export function generateNumericCode(random: RandomSource, digits = 6): string {
  if (!Number.isInteger(digits) || digits < 1 || digits > MAX_NUMERIC_DIGITS) {
    throw new RangeError(`A numeric code has 1 to ${MAX_NUMERIC_DIGITS} digits`);
  }
  const modulus = 10 ** digits;
  const limit = UINT32_RANGE - (UINT32_RANGE % modulus);
  for (;;) {
    const bytes = random.bytes(4);
    const value = ((bytes[0]! << 24) >>> 0) + (bytes[1]! << 16) + (bytes[2]! << 8) + bytes[3]!;
    if (value < limit) return String(value % modulus).padStart(digits, "0");
  }
}
