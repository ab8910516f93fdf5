import { base64UrlDecode, base64UrlEncode, hexEncode } from "./encoding";
import { cryptoRandom, type RandomSource } from "./random";

/** A value encrypted by `SecretBox`: which key sealed it, and base64url(iv ‖ ciphertext ‖ tag). */
export interface Sealed {
  keyId: string;
  ciphertext: string;
}

interface BoxKey {
  id: string;
  key: CryptoKey;
}

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
// 32 bytes are 43 base64url characters; one "=" of padding is tolerated.
const KEY_TEXT = /^[A-Za-z0-9_-]{43}=?$/;

// Per isolate: importing a key and hashing it for its id on every request would be wasted work.
// Keyed by the configured text, which already lives in this isolate's env.
const imported = new Map<string, Promise<BoxKey>>();

async function importKey(text: string, name: string): Promise<BoxKey> {
  if (!KEY_TEXT.test(text)) {
    throw new Error(`SecretBox: the ${name} must be ${KEY_BYTES} bytes encoded as base64url (43 characters)`);
  }
  const raw = base64UrlDecode(text.replace(/=$/, ""));
  const [digest, key] = await Promise.all([
    crypto.subtle.digest("SHA-256", raw),
    crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]),
  ]);
  return { id: hexEncode(new Uint8Array(digest).slice(0, 8)), key };
}

function cachedKey(text: string, name: string): Promise<BoxKey> {
  let key = imported.get(text);
  if (!key) {
    key = importKey(text, name);
    // A rejected import is not cached, so a corrected configuration is picked up.
    key.catch(() => imported.delete(text));
    imported.set(text, key);
  }
  return key;
}

/**
 * AES-256-GCM encryption at rest with key rotation. New values are sealed with the current key;
 * values sealed with a previous key still open until re-sealed. A key's id is derived from the key
 * (first 8 bytes of its SHA-256, hex), so keys need no names. The associated data binds a
 * ciphertext to its row (e.g. the user id): copied into another row, it no longer opens.
 * @example
 * const box = await SecretBox.fromKeys(env.TOTP_ENCRYPTION_KEY);
 * const sealed = await box.encrypt(secret, userId);
 * const secretAgain = await box.decrypt(sealed, userId);
 */
export class SecretBox {
  private constructor(
    private readonly current: BoxKey,
    private readonly keys: ReadonlyMap<string, CryptoKey>,
    private readonly random: RandomSource,
  ) {}

  /**
   * A box over the current key and the previous ones, each 32 random bytes as base64url.
   * @throws Error naming which key is malformed (never its value).
   */
  static async fromKeys(
    current: string,
    previous: string[] = [],
    random: RandomSource = cryptoRandom,
  ): Promise<SecretBox> {
    const [currentKey, ...previousKeys] = await Promise.all([
      cachedKey(current, "current key"),
      ...previous.map((text, index) => cachedKey(text, `previous key #${index + 1}`)),
    ]);
    const keys = new Map<string, CryptoKey>();
    for (const { id, key } of [currentKey!, ...previousKeys]) keys.set(id, key);
    return new SecretBox(currentKey!, keys, random);
  }

  /** Seals `plaintext` under the current key with a fresh 96-bit IV, bound to `associatedData`. */
  async encrypt(plaintext: string, associatedData: string): Promise<Sealed> {
    const iv = this.random.bytes(IV_BYTES);
    const encrypted = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(associatedData) },
      this.current.key,
      new TextEncoder().encode(plaintext),
    );
    const sealed = new Uint8Array(IV_BYTES + encrypted.byteLength);
    sealed.set(iv, 0);
    sealed.set(new Uint8Array(encrypted), IV_BYTES);
    return { keyId: this.current.id, ciphertext: base64UrlEncode(sealed) };
  }

  /**
   * Opens a value sealed by this box's current or a previous key.
   * @throws Error for an unknown key id, a malformed or tampered ciphertext, or other associated data.
   */
  async decrypt(sealed: Sealed, associatedData: string): Promise<string> {
    const key = this.keys.get(sealed.keyId);
    if (!key) throw new Error("SecretBox: the value was sealed with a key that is not configured");
    let bytes: Uint8Array;
    try {
      bytes = base64UrlDecode(sealed.ciphertext);
    } catch {
      throw new Error("SecretBox: the ciphertext is not base64url");
    }
    if (bytes.length < IV_BYTES + TAG_BYTES) throw new Error("SecretBox: the ciphertext is too short");
    let plaintext: ArrayBuffer;
    try {
      plaintext = await crypto.subtle.decrypt(
        {
          name: "AES-GCM",
          iv: bytes.subarray(0, IV_BYTES),
          additionalData: new TextEncoder().encode(associatedData),
        },
        key,
        bytes.subarray(IV_BYTES),
      );
    } catch {
      throw new Error("SecretBox: the value does not open (tampered, or sealed for other associated data)");
    }
    return new TextDecoder().decode(plaintext);
  }

  /**
   * `encrypt` as one string, `<keyId>.<ciphertext>`: the form queue messages and text columns
   * carry (it fits `PayloadCipher` of the webhooks feature, too).
   */
  async seal(plaintext: string, associatedData: string): Promise<string> {
    const { keyId, ciphertext } = await this.encrypt(plaintext, associatedData);
    return `${keyId}.${ciphertext}`;
  }

  /**
   * Opens what `seal` produced.
   * @throws Error for a malformed string, and wherever `decrypt` throws.
   */
  async open(sealed: string, associatedData: string): Promise<string> {
    const dot = sealed.indexOf(".");
    if (dot <= 0) throw new Error("SecretBox: not a sealed value");
    return this.decrypt({ keyId: sealed.slice(0, dot), ciphertext: sealed.slice(dot + 1) }, associatedData);
  }

  /** Whether `keyId` is the current key's: values under another key should be re-sealed. */
  isCurrent(keyId: string): boolean {
    return keyId === this.current.id;
  }
}
