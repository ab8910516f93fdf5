import { base64UrlDecode, base64UrlEncode } from "./encoding";
import { AppError } from "./errors";
import { ID_PREFIXES, type IdKind } from "./ids";

// Longer than any cursor `encodeIdCursor` makes (a 30-character id is 40 characters): a bigger
// value is refused before it is decoded.
const MAX_CURSOR_LENGTH = 64;

/**
 * The page cursor of a list ordered by a time-ordered id (see `newId`): the last id of the page,
 * base64url. Opaque to clients, so the order key can change without changing the API.
 * @example encodeIdCursor("tok_01kb8w…") // "dG9rXzAxa2I4d…"
 */
export function encodeIdCursor(id: string): string {
  return base64UrlEncode(new TextEncoder().encode(id));
}

function decodeOrUndefined(cursor: string): string | undefined {
  if (cursor.length > MAX_CURSOR_LENGTH) return undefined;
  try {
    return new TextDecoder().decode(base64UrlDecode(cursor));
  } catch {
    return undefined;
  }
}

/**
 * The id inside a cursor from `encodeIdCursor`, checked to be an id of `kind`; anything else (a
 * forged, truncated or foreign cursor) is `AppError("VALIDATION_FAILED")` on `query.cursor`.
 */
export function decodeIdCursor(cursor: string, kind: IdKind): string {
  const id = decodeOrUndefined(cursor);
  if (id === undefined || !new RegExp(`^${ID_PREFIXES[kind]}_[0-9a-hjkmnp-tv-z]{26}$`).test(id)) {
    throw new AppError("VALIDATION_FAILED", "The cursor is not valid", {
      errors: [{ field: "query.cursor", message: "is not a cursor this list returned" }],
    });
  }
  return id;
}
