import { base64UrlEncode, hexEncode } from "./encoding";
import type { RandomSource } from "./random";

/**
 * Bearer secrets: `prefix_` + 32 random bytes base64url (43 characters). The prefix lets secret
 * scanners recognise a leaked token; only `hashSecret(secret)` is ever stored.
 */
export function generateSecret(prefix: string, random: RandomSource): string {
  return `${prefix}_${base64UrlEncode(random.bytes(32))}`;
}

/** SHA-256 of a secret as lower-case hex: what the database stores and looks up by. */
export async function hashSecret(secret: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret));
  return hexEncode(new Uint8Array(digest));
}

/**
 * Constant-time equality of two strings. Both sides are hashed first so neither the content nor
 * the length of the expected value leaks through timing.
 */
export async function constantTimeEqual(actual: string, expected: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [a, b] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(actual)),
    crypto.subtle.digest("SHA-256", encoder.encode(expected)),
  ]);
  return crypto.subtle.timingSafeEqual(a, b);
}
