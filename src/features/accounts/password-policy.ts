import { normalizeIdentifier } from "../users/user";
import { COMMON_PASSWORDS_TEXT } from "./common-passwords";

/**
 * NIST SP 800-63B password rules: 8 to 256 characters of any Unicode, no composition rules, not a
 * commonly used password, not the account's own username or e-mail. Passwords are NFKC-normalised
 * before counting and hashing, so the same password typed on another keyboard still matches.
 */
export const PASSWORD_MIN_CHARS = 8;
export const PASSWORD_MAX_CHARS = 256;
/** Checked before anything else (and before hashing), so a huge password costs nothing. */
export const PASSWORD_MAX_BYTES = 1024;

let common: Set<string> | undefined;

function isCommon(password: string): boolean {
  common ??= new Set(COMMON_PASSWORDS_TEXT.split("\n"));
  return common.has(password.toLowerCase());
}

/** The form that is hashed and verified. */
export function normalizePassword(password: string): string {
  return password.normalize("NFKC");
}

/** UTF-8 length without allocating a copy of a possibly huge string. */
function utf8Length(value: string): number {
  let bytes = 0;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
    if (bytes > PASSWORD_MAX_BYTES) return bytes;
  }
  return bytes;
}

/** Why a submitted password (new or not) is refused before any hashing, or null. */
export function passwordSizeProblem(password: string): string | null {
  return utf8Length(password) > PASSWORD_MAX_BYTES
    ? `must be at most ${PASSWORD_MAX_BYTES} bytes of UTF-8`
    : null;
}

/** Why a new password is refused, or null when it is acceptable. */
export function newPasswordProblem(
  password: string,
  account: { username?: string; email?: string } = {},
): string | null {
  const sizeProblem = passwordSizeProblem(password);
  if (sizeProblem) return sizeProblem;
  const normalized = normalizePassword(password);
  const length = [...normalized].length;
  if (length < PASSWORD_MIN_CHARS) return `must be at least ${PASSWORD_MIN_CHARS} characters`;
  if (length > PASSWORD_MAX_CHARS) return `must be at most ${PASSWORD_MAX_CHARS} characters`;
  if (isCommon(normalized)) return "is too common; choose a less predictable password";
  const folded = normalizeIdentifier(normalized);
  const { username, email } = account;
  if (
    (username && folded === normalizeIdentifier(username)) ||
    (email && (folded === normalizeIdentifier(email) || folded === normalizeIdentifier(email.split("@")[0]!)))
  ) {
    return "must not be your username or e-mail address";
  }
  return null;
}
