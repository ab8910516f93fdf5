import type { Config } from "../../config";
import { KeyedHasher } from "../../platform/keyed-hash";

/** A keyed hasher made on first use (its HMAC keys are derived once per isolate). */
export type CodeHasher = () => Promise<KeyedHasher>;

/**
 * The keyed hashers of the short codes this feature stores, under keys derived from
 * `DATA_ENCRYPTION_KEY` (and its previous keys, so a rotation keeps stored codes usable while the
 * old key stays listed). Plain SHA-256 would not do: 10^6 e-mailed codes or 2^50 recovery codes are
 * enumerable from a leaked table; without the key a digest reveals nothing.
 */
export function codeHashers(keys: Config["encryption"]["data"]): {
  recovery: CodeHasher;
  emailed: CodeHasher;
} {
  return {
    recovery: () => KeyedHasher.fromKeys(keys.current, keys.previous, "two-factor recovery code"),
    emailed: () => KeyedHasher.fromKeys(keys.current, keys.previous, "two-factor e-mailed code"),
  };
}

/** What a recovery code's digest covers: its owner and its canonical form (no code works for another user). */
export function recoveryDigestInput(userId: string, normalizedCode: string): string {
  return `${userId}:${normalizedCode}`;
}

/** What an e-mailed code's digest covers: its owner, its purpose and the digits. */
export function emailedDigestInput(userId: string, purpose: string, code: string): string {
  return `${userId}:${purpose}:${code}`;
}
