import { z } from "zod";
import { hexEncode } from "../../platform/encoding";

/** A mailbox as a header shows it: `Display Name <address>`, the name optional. */
export interface Mailbox {
  name?: string;
  address: string;
}

const NAME_AND_ADDRESS = /^\s*(?:"((?:[^"\\\r\n]|\\.)*)"|([^<>"\r\n]*?))\s*<([^<>\s]+)>\s*$/;
const addressSchema = z.email();

/**
 * Parses `no-reply@example.com` or `Edge Auth <no-reply@example.com>` (the name may be quoted).
 * Returns undefined for anything else, including line breaks, which could inject headers.
 */
export function parseMailbox(value: string): Mailbox | undefined {
  if (/[\r\n]/.test(value)) return undefined;
  const bare = value.trim();
  if (addressSchema.safeParse(bare).success) return { address: bare };
  const match = NAME_AND_ADDRESS.exec(value);
  if (!match || !addressSchema.safeParse(match[3]).success) return undefined;
  const name = (match[1]?.replace(/\\(.)/g, "$1") ?? match[2] ?? "").trim();
  return name ? { name, address: match[3]! } : { address: match[3]! };
}

/** The part after the last `@`: the domain of Message-ID and of the SMTP greeting. */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf("@") + 1);
}

/**
 * What logs say about a recipient: the first 16 hex digits of SHA-256 of the lower-cased address.
 * Enough to match a complaint against a known address, without writing the address down.
 */
export async function recipientHash(address: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(address.trim().toLowerCase()),
  );
  return hexEncode(new Uint8Array(digest)).slice(0, 16);
}

/** Replaces anything that looks like an e-mail address, for text that came from a mail server. */
export function maskAddresses(text: string): string {
  return text.replace(/[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/g, "[address]");
}
