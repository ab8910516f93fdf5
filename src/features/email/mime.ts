import { hexEncode } from "../../platform/encoding";
import type { RandomSource } from "../../platform/random";
import { domainOf, type Mailbox } from "./address";
import type { OutgoingEmail } from "./transports/transport";

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
// 42 bytes of UTF-8 become 56 base64 characters: with `=?UTF-8?B?` and `?=` a word is 68
// characters (RFC 2047 allows 75), and even `Subject: ` plus one word stays under 78.
const ENCODED_WORD_BYTES = 42;

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * A header value as RFC 2047 encoded words when it is not short printable ASCII (UTF-8, base64,
 * split between characters, separated by spaces where `foldHeader` may break the line). CR and LF
 * can never survive.
 */
export function encodeHeaderText(value: string): string {
  if (PRINTABLE_ASCII.test(value) && value.length <= 70) return value;
  const encoder = new TextEncoder();
  const words: string[] = [];
  let chunk = "";
  for (const char of value) {
    if (encoder.encode(chunk + char).length > ENCODED_WORD_BYTES) {
      words.push(chunk);
      chunk = "";
    }
    chunk += char;
  }
  if (chunk) words.push(chunk);
  return words.map((word) => `=?UTF-8?B?${base64(encoder.encode(word))}?=`).join(" ");
}

const MAX_LINE = 78;

/**
 * Folds a header line longer than 78 characters at spaces (RFC 5322 §2.2.3), keeping the space
 * as the continuation line's leading white space. Never breaks right after the field name.
 */
export function foldHeader(line: string): string {
  const lines: string[] = [];
  let rest = line;
  const minimumCut = line.indexOf(":") + 2;
  while (rest.length > MAX_LINE) {
    const cut = rest.lastIndexOf(" ", MAX_LINE);
    if (cut < (lines.length === 0 ? minimumCut : 1)) break;
    lines.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  lines.push(rest);
  return lines.join("\r\n");
}

/** `"Display Name" <address>` with the name quoted or encoded; a bare address without a name. */
export function formatMailbox(mailbox: Mailbox): string {
  if (!mailbox.name) return mailbox.address;
  const name = PRINTABLE_ASCII.test(mailbox.name)
    ? `"${mailbox.name.replace(/(["\\])/g, "\\$1")}"`
    : encodeHeaderText(mailbox.name);
  return `${name} <${mailbox.address}>`;
}

/** RFC 5322 date, e.g. `Mon, 23 Nov 2026 15:05:13 +0000`. */
export function formatDate(date: Date): string {
  return date.toUTCString().replace(/GMT$/, "+0000");
}

/** Base64 of the UTF-8 text in lines of 76 characters, as MIME bodies are written. */
function base64Body(text: string): string {
  const encoded = base64(new TextEncoder().encode(text.replace(/\r?\n/g, "\r\n")));
  return encoded.match(/.{1,76}/g)?.join("\r\n") ?? "";
}

export interface MimeOptions {
  date: Date;
  random: RandomSource;
}

/**
 * The e-mail as an RFC 5322 message: multipart/alternative with a text/plain and a text/html part,
 * both UTF-8 in base64 (lines stay short and nothing depends on the server's 8BITMIME). The
 * Message-ID derives from the message id, so every retry of one message carries the same one.
 */
export function buildMimeMessage(email: OutgoingEmail, options: MimeOptions): string {
  const boundary = `=_edge-auth_${hexEncode(options.random.bytes(12))}`;
  const localPart = email.id.replace(/[^A-Za-z0-9._-]/g, "-");
  const headers = [
    `From: ${formatMailbox(email.from)}`,
    `To: ${email.to}`,
    `Subject: ${encodeHeaderText(email.subject)}`,
    `Date: ${formatDate(options.date)}`,
    `Message-ID: <${localPart}@${domainOf(email.from.address)}>`,
    "MIME-Version: 1.0",
    "Auto-Submitted: auto-generated",
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
  ].map(foldHeader);
  const part = (type: string, body: string) =>
    [
      `--${boundary}`,
      `Content-Type: ${type}; charset=utf-8`,
      "Content-Transfer-Encoding: base64",
      "",
      base64Body(body),
    ].join("\r\n");
  return [
    ...headers,
    "",
    part("text/plain", email.text),
    part("text/html", email.html),
    `--${boundary}--`,
    "",
  ].join("\r\n");
}
