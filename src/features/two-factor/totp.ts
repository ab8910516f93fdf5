import { HOTP, Secret, TOTP } from "otpauth";
import type { RandomSource } from "../../platform/random";

// RFC 6238's defaults, the parameters every authenticator app supports.
/** HMAC algorithm of every TOTP code. */
export const TOTP_ALGORITHM = "SHA1";
/** Digits of a TOTP code. */
export const TOTP_DIGITS = 6;
/** Seconds a TOTP time step lasts. */
export const TOTP_PERIOD_SECONDS = 30;

/** 160 bits: RFC 4226 requires at least 128 and recommends 160. */
const SECRET_BYTES = 20;

const SIX_DIGITS = /^[0-9]{6}$/;

/** A fresh TOTP secret: 20 random bytes as RFC 4648 base32 (32 characters, no padding). */
export function generateTotpSecret(random: RandomSource): string {
  // Copied so a RandomSource that returns a view of a larger buffer cannot leak extra bytes in.
  const bytes = Uint8Array.from(random.bytes(SECRET_BYTES));
  return new Secret({ buffer: bytes.buffer }).base32;
}

/** What an authenticator app needs to show and compute the account's codes. */
export interface TotpUriParts {
  /** Base32 secret, as `generateTotpSecret` returns it. */
  secret: string;
  /** The service's name (`APP_NAME`); shown as the account's heading in the app. */
  issuer: string;
  /** The user's username or e-mail. */
  account: string;
}

/**
 * The `otpauth://totp/issuer:account?issuer=…&secret=…&algorithm=SHA1&digits=6&period=30` key URI
 * (Google Authenticator's key-uri format), with every parameter explicit.
 * @throws Error when issuer or account contains ":", which the label format cannot carry.
 */
export function totpUri({ secret, issuer, account }: TotpUriParts): string {
  if (issuer.includes(":") || account.includes(":")) {
    throw new Error("TOTP issuer and account must not contain ':' (it separates them in the label)");
  }
  return new TOTP({
    issuer,
    label: account,
    issuerInLabel: true,
    secret: Secret.fromBase32(secret),
    algorithm: TOTP_ALGORITHM,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
  }).toString();
}

/** The time step (counter) that contains `epochMs`. */
export function totpStep(epochMs: number): number {
  return Math.floor(epochMs / 1000 / TOTP_PERIOD_SECONDS);
}

/** The code of a base32 `secret` at time step `step` (HOTP of the step, SHA-1). */
export function totpCode(secret: string, step: number, digits = TOTP_DIGITS): string {
  return HOTP.generate({
    secret: Secret.fromBase32(secret),
    algorithm: TOTP_ALGORITHM,
    digits,
    counter: step,
  });
}

/** Equality of two equally long digit strings, looking at every character whatever differs. */
function sameDigits(a: string, b: string): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/**
 * The time step whose code is `code`, searching the step of `nowMs` and `window` steps either side
 * (clock drift), or null. Anything but exactly six ASCII digits is null without being compared.
 * Every candidate is computed and compared, so the time taken does not say which step matched;
 * when two steps share the code the later one is returned, so storing it refuses the most replays.
 * Whether the step was already used is the caller's business (`TwoFactorRepository.acceptStep`).
 * Throws only for a `secret` that is not base32, which is stored data, never user input.
 */
export function matchTotp(secret: string, code: string, nowMs: number, window = 1): number | null {
  if (typeof code !== "string" || code.length !== TOTP_DIGITS || !SIX_DIGITS.test(code)) return null;
  const key = Secret.fromBase32(secret);
  const current = totpStep(nowMs);
  let matched: number | null = null;
  for (let step = current - window; step <= current + window; step++) {
    const candidate = HOTP.generate({
      secret: key,
      algorithm: TOTP_ALGORITHM,
      digits: TOTP_DIGITS,
      counter: step,
    });
    if (sameDigits(candidate, code)) matched = step;
  }
  return matched;
}
