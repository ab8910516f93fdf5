import { crc32 } from "../../platform/crc32";
import { base64UrlEncode } from "../../platform/encoding";
import type { RandomSource } from "../../platform/random";
import { hashSecret } from "../../platform/secrets";

/**
 * API tokens follow GitHub's format (github.blog, 2021-04-05, "Behind GitHub's new authentication
 * token formats"): a recognisable prefix, a random part and a checksum, so a secret scanner can find
 * a leaked token and verify it offline without asking us, and a typo is refused before any lookup.
 *
 *   eat_ + 43 characters base64url (32 random bytes, seed 003) + 6 characters base62 (CRC-32 of
 *   everything before it, zero-padded): 53 characters in all.
 *
 * The random part is base64url rather than GitHub's base62 because seed 003 fixes it; the checksum
 * is base62 so that it never adds more `-` or `_`.
 */
export const API_TOKEN_PREFIX = "eat";

const HEAD = `${API_TOKEN_PREFIX}_`;
const RANDOM_BYTES = 32;
const CHECKSUM_LENGTH = 6;
/** Random characters kept in `start`: enough to tell a user's tokens apart, far too few to guess one. */
const START_RANDOM_CHARACTERS = 6;
const TOKEN_LENGTH = HEAD.length + 43 + CHECKSUM_LENGTH;
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

// 32 bytes are 256 bits, so the 43rd base64url character carries 4 bits and its 2 low bits are 0:
// only the 16 characters listed can end a random part we generated. Anything else is not ours, and
// refusing it spares secret scanners a false positive.
const SHAPE = /^eat_[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048][0-9A-Za-z]{6}$/;

/** A freshly generated token: `token` is shown once, `start` is kept for lists, `hash` is stored. */
export interface GeneratedApiToken {
  token: string;
  /** The prefix and the first random characters, e.g. `eat_xK9mP2`: tells tokens apart in a list. */
  start: string;
  /** `hashSecret(token)`: the only form of the token the database holds. */
  hash: string;
}

/** What a string is, as far as the format tells without a lookup. */
export type ApiTokenFormatCheck = "ok" | "malformed" | "bad_checksum";

function checksumOf(body: string): string {
  let value = crc32(new TextEncoder().encode(body));
  let digits = "";
  for (let position = 0; position < CHECKSUM_LENGTH; position++) {
    digits = BASE62[value % 62] + digits;
    value = Math.floor(value / 62);
  }
  return digits;
}

/** Generates a token from 32 bytes of `random`, with its list label and its storage hash. */
export async function generateApiToken(random: RandomSource): Promise<GeneratedApiToken> {
  const body = `${HEAD}${base64UrlEncode(random.bytes(RANDOM_BYTES))}`;
  const token = `${body}${checksumOf(body)}`;
  return {
    token,
    start: token.slice(0, HEAD.length + START_RANDOM_CHARACTERS),
    hash: await hashSecret(token),
  };
}

/**
 * Checks length, prefix, alphabet and checksum. The length is compared first, so a string of any
 * size costs at most one 53-character scan and one CRC. `"ok"` says only that the token is well
 * formed, not that it exists.
 */
export function checkApiTokenFormat(text: string): ApiTokenFormatCheck {
  if (text.length !== TOKEN_LENGTH || !SHAPE.test(text)) return "malformed";
  const body = text.slice(0, -CHECKSUM_LENGTH);
  return checksumOf(body) === text.slice(-CHECKSUM_LENGTH) ? "ok" : "bad_checksum";
}

/**
 * True when `text` carries the API-token prefix: how the authentication middleware tells an API
 * token from a JWT (which starts with `eyJ`) before doing any real work.
 */
export function looksLikeApiToken(text: string): boolean {
  return text.startsWith(HEAD);
}
