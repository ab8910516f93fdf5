import { base64UrlDecode, hexEncode } from "./encoding";

// 32 bytes are 43 base64url characters; one "=" of padding is tolerated (as SecretBox does).
const KEY_TEXT = /^[A-Za-z0-9_-]{43}=?$/;

// Per isolate: deriving an HMAC key costs an HKDF round, and the inputs never change in an isolate.
const derived = new Map<string, Promise<CryptoKey>>();

async function deriveKey(text: string, purpose: string, name: string): Promise<CryptoKey> {
  if (!KEY_TEXT.test(text)) {
    throw new Error(`KeyedHasher: the ${name} must be 32 bytes encoded as base64url (43 characters)`);
  }
  const master = await crypto.subtle.importKey(
    "raw",
    base64UrlDecode(text.replace(/=$/, "")),
    "HKDF",
    false,
    ["deriveKey"],
  );
  return crypto.subtle.deriveKey(
    {
      name: "HKDF",
      hash: "SHA-256",
      salt: new Uint8Array(0),
      info: new TextEncoder().encode(`edge-auth keyed-hash v1: ${purpose}`),
    },
    master,
    { name: "HMAC", hash: "SHA-256", length: 256 },
    false,
    ["sign"],
  );
}

function cachedKey(text: string, purpose: string, name: string): Promise<CryptoKey> {
  const cacheKey = `${purpose}\u0000${text}`;
  let key = derived.get(cacheKey);
  if (!key) {
    key = deriveKey(text, purpose, name);
    // A rejected derivation is not cached, so a corrected configuration is picked up.
    key.catch(() => derived.delete(cacheKey));
    derived.set(cacheKey, key);
  }
  return key;
}

/**
 * HMAC-SHA-256 under a key derived (HKDF) from a configured 32-byte key and a purpose, for short
 * secrets whose plain SHA-256 a leaked table would give away by brute force: a 6-digit code has
 * 10^6 values, a recovery code 2^50. Without the key, a stolen hash says nothing.
 *
 * Rotation: `digest` uses the current key; `candidates` gives the digest under every configured key
 * (current first), so values stored before a rotation still match while their key stays listed.
 * Different purposes give unrelated digests of the same value.
 * @example
 * const hasher = await KeyedHasher.fromKeys(config.encryption.data.current, [], "recovery-code");
 * const stored = await hasher.digest(`${userId}:${code}`);
 * const matches = (await hasher.candidates(`${userId}:${typed}`)).includes(stored);
 */
export class KeyedHasher {
  private constructor(private readonly keys: readonly CryptoKey[]) {}

  /**
   * A hasher over the current key and the previous ones (each 32 random bytes as base64url).
   * @throws Error naming which key is malformed (never its value).
   */
  static async fromKeys(current: string, previous: readonly string[], purpose: string): Promise<KeyedHasher> {
    const keys = await Promise.all([
      cachedKey(current, purpose, "current key"),
      ...previous.map((text, index) => cachedKey(text, purpose, `previous key #${index + 1}`)),
    ]);
    return new KeyedHasher(keys);
  }

  /** The digest of `value` under the current key, as lower-case hex. */
  async digest(value: string): Promise<string> {
    return this.sign(this.keys[0]!, value);
  }

  /** The digests of `value` under every configured key, current first, without duplicates. */
  async candidates(value: string): Promise<string[]> {
    const digests = await Promise.all(this.keys.map((key) => this.sign(key, value)));
    return [...new Set(digests)];
  }

  private async sign(key: CryptoKey, value: string): Promise<string> {
    const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(value));
    return hexEncode(new Uint8Array(mac));
  }
}
