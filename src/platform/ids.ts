import type { Clock } from "./clock";
import { base32Encode } from "./encoding";
import type { RandomSource } from "./random";

/**
 * Prefixes of app-generated ids. The app makes ids (not the database) so a D1 batch knows every id
 * up front, and a prefix tells a reader what an id points at.
 */
export const ID_PREFIXES = {
  user: "usr",
  refreshToken: "rtk",
  passwordReset: "prs",
  verification: "vrf",
  invite: "inv",
  apiToken: "tok",
  audit: "aud",
  tenant: "tnt",
  agent: "agt",
  session: "ses",
  request: "req",
  event: "evt",
  recoveryCode: "rcv",
  twoFactorCode: "tfc",
  pageSession: "pgs",
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

/**
 * A time-ordered id: 48 bits of milliseconds then 80 random bits, Crockford base32 (26 chars),
 * behind the kind's prefix, e.g. `usr_01jd3k…`. Time order keeps cursor pagination simple.
 */
export function newId(kind: IdKind, clock: Clock, random: RandomSource): string {
  const bytes = new Uint8Array(16);
  let ms = clock.now().getTime();
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes.set(random.bytes(10), 6);
  return `${ID_PREFIXES[kind]}_${base32Encode(bytes).slice(0, 26)}`;
}
