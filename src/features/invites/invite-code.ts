import { base64UrlEncode } from "../../platform/encoding";
import type { RandomSource } from "../../platform/random";
import { hashSecret } from "../../platform/secrets";

/**
 * Invite codes: `eiv_` (edge-auth invite; `inv_` is taken by invite ids) and 32 random bytes as
 * base64url, 47 characters in all, 256 bits of entropy. The prefix lets secret scanners find a
 * leaked code and tells a code from an id in `/api/tokens/{codigo_or_id}/revogar/`. Base64url keeps
 * it safe in a URL path or query without escaping.
 */
export const INVITE_CODE_PREFIX = "eiv_";

const RANDOM_BYTES = 32;
/** Random characters kept visible (`code_prefix`): 24 of the 256 bits, enough to tell codes apart. */
const VISIBLE_RANDOM_CHARACTERS = 4;
// The 43rd character of 32 base64url bytes carries 4 bits, so only these 16 can end a code of ours.
const SHAPE = /^eiv_[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/** A fresh code: shown once, then only its hash and visible prefix exist. */
export interface GeneratedInviteCode {
  code: string;
  /** `eiv_` and the first random characters, e.g. `eiv_xK9m`. */
  prefix: string;
  /** `hashSecret(code)`: what the database stores and looks codes up by. */
  hash: string;
}

/** Generates a code from 32 bytes of `random`. */
export async function generateInviteCode(random: RandomSource): Promise<GeneratedInviteCode> {
  const code = `${INVITE_CODE_PREFIX}${base64UrlEncode(random.bytes(RANDOM_BYTES))}`;
  return {
    code,
    prefix: code.slice(0, INVITE_CODE_PREFIX.length + VISIBLE_RANDOM_CHARACTERS),
    hash: await hashSecret(code),
  };
}

/** True when `text` has the exact shape of a code this service generates (says nothing of existence). */
export function isInviteCodeShaped(text: string): boolean {
  return SHAPE.test(text);
}
