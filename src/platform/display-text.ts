/**
 * Control characters (line breaks and tabs included), Unicode line and paragraph separators, and
 * bidirectional overrides and isolates: what lets user-chosen text forge lines or reorder the text
 * it is shown in (an e-mail, an admin page, a log line). Letters, marks, symbols and emoji are fine.
 */
const UNSAFE_DISPLAY_TEXT = /[\p{Cc}\p{Zl}\p{Zp}\u202A-\u202E\u2066-\u2069]/u;

/** True when `value` is one line of ordinary text, safe to show to other people (display names). */
export function isSafeDisplayText(value: string): boolean {
  return !UNSAFE_DISPLAY_TEXT.test(value);
}
