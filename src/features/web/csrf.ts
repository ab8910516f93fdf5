import type { Config } from "../../config";
import { KeyedHasher } from "../../platform/keyed-hash";
import { constantTimeEqual } from "../../platform/secrets";

const PURPOSE = "page form csrf";
const MAX_TOKEN = 128;

/**
 * CSRF tokens for the pages' forms, without server state: HMAC-SHA-256 (key derived from
 * `DATA_ENCRYPTION_KEY`) of what the browser's cookie holds (the page session's token, or before
 * sign-in a random nonce cookie) and the form's name. A token therefore works for one form of one
 * browser session only, and a page on another site can neither read nor forge it. Checked in
 * constant time, against every configured key (rotation keeps open forms working).
 */
export class CsrfTokens {
  private constructor(private readonly hasher: KeyedHasher) {}

  /** Tokens under keys derived from `DATA_ENCRYPTION_KEY` (and its previous keys). */
  static async fromConfig(keys: Config["encryption"]["data"]): Promise<CsrfTokens> {
    return new CsrfTokens(await KeyedHasher.fromKeys(keys.current, keys.previous, PURPOSE));
  }

  /** The token of `form` for the browser whose cookie holds `binding`. */
  issue(binding: string, form: string): Promise<string> {
    return this.hasher.digest(`${form}\u0000${binding}`);
  }

  /** Whether `submitted` is the token of `form` for `binding` (false for anything missing). */
  async verify(binding: string | undefined, form: string, submitted: string | undefined): Promise<boolean> {
    if (!binding || !submitted || submitted.length > MAX_TOKEN) return false;
    const candidates = await this.hasher.candidates(`${form}\u0000${binding}`);
    let matched = false;
    for (const candidate of candidates) matched = (await constantTimeEqual(submitted, candidate)) || matched;
    return matched;
  }
}
