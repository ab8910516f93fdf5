/** Longest user agent an audit listing shows; longer ones end with `…`. */
export const MAX_DISPLAYED_USER_AGENT = 256;

/**
 * C0 and C1 controls, DEL, and the bidirectional marks, overrides and isolates that can make text
 * read differently from what it is (CVE-2021-42574, "Trojan Source").
 */
function isUnsafe(codePoint: number): boolean {
  return (
    codePoint <= 0x1f ||
    (codePoint >= 0x7f && codePoint <= 0x9f) ||
    codePoint === 0x61c ||
    codePoint === 0x200e ||
    codePoint === 0x200f ||
    (codePoint >= 0x202a && codePoint <= 0x202e) ||
    (codePoint >= 0x2066 && codePoint <= 0x2069)
  );
}

/**
 * A client-supplied string (a user agent) made safe to show: every control or bidi character
 * written as a visible `\u{…}` escape, then capped at `max` characters. Stored rows keep what was
 * received (within the 512-character cap at intake): escaping happens on the way out.
 */
export function displaySafe(text: string | null, max = MAX_DISPLAYED_USER_AGENT): string | null {
  if (text === null) return null;
  let escaped = "";
  for (const char of text) {
    const codePoint = char.codePointAt(0) ?? 0;
    escaped += isUnsafe(codePoint) ? `\\u{${codePoint.toString(16)}}` : char;
  }
  return escaped.length > max ? `${escaped.slice(0, max - 1)}…` : escaped;
}
