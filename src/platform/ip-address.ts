import { AppError } from "./errors";

/**
 * IPv4 and IPv6 addresses and CIDR blocks as bytes: parsing every textual form a client or an
 * operator may write, canonical formatting (RFC 5952), membership tests for allow-lists, and the
 * "is this a public unicast address" rule the webhook SSRF check relies on.
 *
 * Parsing is strict on purpose: an allow-list or an SSRF check must never guess. IPv4 is exactly
 * four decimal parts without leading zeros (`010.0.0.1` could mean 8.0.0.1 to some parsers and
 * 10.0.0.1 to others); IPv6 zone ids (`fe80::1%eth0`) are refused, since they name an interface of
 * one host and mean nothing elsewhere. Brackets are not part of an address (strip them from URLs).
 */

/** An address as its bytes: 4 for IPv4, 16 for IPv6. */
export type IpAddress =
  | { readonly version: 4; readonly bytes: Uint8Array }
  | { readonly version: 6; readonly bytes: Uint8Array };

/** A CIDR block: a network address (host bits all zero) and its prefix length. */
export interface Cidr {
  readonly network: IpAddress;
  readonly prefixLength: number;
}

/** What `parseCidr` found: the block, or why the text is not one. */
export type CidrParseResult = { ok: true; cidr: Cidr } | { ok: false; reason: string };

const IPV4_PART = /^(0|[1-9][0-9]{0,2})$/;
const IPV6_GROUP = /^[0-9a-fA-F]{1,4}$/;
const PREFIX_LENGTH = /^(0|[1-9][0-9]{0,2})$/;

function parseIpv4Bytes(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (const [index, part] of parts.entries()) {
    if (!IPV4_PART.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    bytes[index] = value;
  }
  return bytes;
}

/** Groups of one side of `::` (or of the whole address), with a trailing dotted IPv4 when allowed. */
function parseGroups(text: string, mayEndInIpv4: boolean): number[] | undefined {
  if (text === "") return [];
  const pieces = text.split(":");
  const groups: number[] = [];
  for (const [index, piece] of pieces.entries()) {
    if (mayEndInIpv4 && index === pieces.length - 1 && piece.includes(".")) {
      const ipv4 = parseIpv4Bytes(piece);
      if (!ipv4) return undefined;
      groups.push((ipv4[0]! << 8) | ipv4[1]!, (ipv4[2]! << 8) | ipv4[3]!);
    } else if (IPV6_GROUP.test(piece)) {
      groups.push(Number.parseInt(piece, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}

function parseIpv6Bytes(text: string): Uint8Array | undefined {
  if (text.includes("%")) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  let groups: number[];
  if (halves.length === 1) {
    const all = parseGroups(text, true);
    if (all?.length !== 8) return undefined;
    groups = all;
  } else {
    // A dotted IPv4 may only end the address: in the tail, or in the head when nothing follows `::`.
    const head = parseGroups(halves[0]!, false);
    const tail = parseGroups(halves[1]!, true);
    if (!head || !tail || head.length + tail.length > 7) return undefined;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  const bytes = new Uint8Array(16);
  groups.forEach((group, index) => {
    bytes[2 * index] = group >> 8;
    bytes[2 * index + 1] = group & 0xff;
  });
  return bytes;
}

/**
 * Parses an IPv4 (`192.0.2.1`) or IPv6 address in any RFC 4291 form (`2001:db8::1`, `::`,
 * `::ffff:192.0.2.1`, upper or lower case); undefined for anything else, zone ids included.
 *
 * @example parseIpAddress("::ffff:10.0.0.1") // { version: 6, bytes: [0, …, 0xff, 0xff, 10, 0, 0, 1] }
 */
export function parseIpAddress(text: string): IpAddress | undefined {
  if (text.includes(":")) {
    const bytes = parseIpv6Bytes(text);
    return bytes && { version: 6, bytes };
  }
  const bytes = parseIpv4Bytes(text);
  return bytes && { version: 4, bytes };
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`), if it is one. */
export function unmapIpv4(ip: IpAddress): IpAddress | undefined {
  if (ip.version !== 6) return undefined;
  const { bytes } = ip;
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return undefined;
  if (bytes[10] !== 0xff || bytes[11] !== 0xff) return undefined;
  return { version: 4, bytes: bytes.slice(12) };
}

function mapIpv4(ip: IpAddress): IpAddress {
  const bytes = new Uint8Array(16);
  bytes[10] = 0xff;
  bytes[11] = 0xff;
  bytes.set(ip.bytes, 12);
  return { version: 6, bytes };
}

/**
 * The canonical text of an address: dotted decimal for IPv4; RFC 5952 for IPv6 (lower case, no
 * leading zeros, the first longest run of two or more zero groups as `::`, IPv4-mapped addresses
 * as `::ffff:a.b.c.d`).
 */
export function formatIpAddress(ip: IpAddress): string {
  if (ip.version === 4) return Array.from(ip.bytes).join(".");
  const mapped = unmapIpv4(ip);
  if (mapped) return `::ffff:${formatIpAddress(mapped)}`;
  const groups = Array.from({ length: 8 }, (_, i) => (ip.bytes[2 * i]! << 8) | ip.bytes[2 * i + 1]!);
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; ) {
    if (groups[start] !== 0) {
      start++;
      continue;
    }
    let end = start;
    while (end < 8 && groups[end] === 0) end++;
    if (end - start > bestLength) {
      bestStart = start;
      bestLength = end - start;
    }
    start = end;
  }
  const hex = (from: number, to: number) =>
    groups
      .slice(from, to)
      .map((group) => group.toString(16))
      .join(":");
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}

function hostBitsAreZero(bytes: Uint8Array, prefixLength: number): boolean {
  for (let bit = prefixLength; bit < bytes.length * 8; bit++) {
    if ((bytes[bit >> 3]! >> (7 - (bit & 7))) & 1) return false;
  }
  return true;
}

function samePrefix(a: Uint8Array, b: Uint8Array, prefixLength: number): boolean {
  const wholeBytes = prefixLength >> 3;
  for (let i = 0; i < wholeBytes; i++) if (a[i] !== b[i]) return false;
  const restBits = prefixLength & 7;
  if (restBits === 0) return true;
  const mask = (0xff << (8 - restBits)) & 0xff;
  return (a[wholeBytes]! & mask) === (b[wholeBytes]! & mask);
}

/**
 * Parses `address/prefix` (`10.0.0.0/8`, `2001:db8::/32`). A block with host bits set
 * (`10.0.0.1/8`) is refused rather than silently widened: it is almost always a typo for a single
 * address or a different block.
 */
export function parseCidr(text: string): CidrParseResult {
  const slash = text.indexOf("/");
  if (slash < 0 || slash !== text.lastIndexOf("/")) return { ok: false, reason: "expected address/prefix" };
  const network = parseIpAddress(text.slice(0, slash));
  if (!network) return { ok: false, reason: "not an IPv4 or IPv6 address" };
  const prefixText = text.slice(slash + 1);
  const maxLength = network.bytes.length * 8;
  if (!PREFIX_LENGTH.test(prefixText) || Number(prefixText) > maxLength) {
    return { ok: false, reason: `the prefix length must be a whole number from 0 to ${maxLength}` };
  }
  const prefixLength = Number(prefixText);
  if (!hostBitsAreZero(network.bytes, prefixLength)) {
    return { ok: false, reason: "host bits are set: the address is not the first of its block" };
  }
  return { ok: true, cidr: { network, prefixLength } };
}

/** The canonical text of a block, e.g. `2001:db8::/32`. */
export function formatCidr(cidr: Cidr): string {
  return `${formatIpAddress(cidr.network)}/${cidr.prefixLength}`;
}

/** Whether `ip` is inside `cidr`; an IPv4-mapped IPv6 address and its IPv4 address are one. */
export function ipInCidr(ip: IpAddress, cidr: Cidr): boolean {
  let candidate: IpAddress | undefined = ip;
  if (ip.version !== cidr.network.version) candidate = ip.version === 4 ? mapIpv4(ip) : unmapIpv4(ip);
  return candidate !== undefined && samePrefix(candidate.bytes, cidr.network.bytes, cidr.prefixLength);
}

/**
 * Whether `ip` is inside any of `cidrs` (an allow-list). `::ffff:10.1.2.3` matches `10.0.0.0/8`
 * and `10.1.2.3` matches `::ffff:10.0.0.0/104`: a dual-stack socket reports IPv4 clients in the
 * mapped form. Parse both sides first; an address that does not parse matches nothing.
 *
 * @example
 * const office = parseCidr("203.0.113.0/24");
 * const client = parseIpAddress(clientIp);
 * const allowed = office.ok && client !== undefined && ipInCidrs(client, [office.cidr]);
 */
export function ipInCidrs(ip: IpAddress, cidrs: readonly Cidr[]): boolean {
  return cidrs.some((cidr) => ipInCidr(ip, cidr));
}

function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new AppError("INTERNAL", `bad built-in CIDR ${text}: ${parsed.reason}`);
  return parsed.cidr;
}

/**
 * IPv4 blocks that are not public unicast (IANA IPv4 Special-Purpose Address Registry, RFC 6890
 * and successors). 192.0.0.0/24 is taken whole although two of its /32s are anycast services:
 * nothing a webhook should be sent to lives there.
 */
const NON_PUBLIC_IPV4 = [
  "0.0.0.0/8", // "this network"; 0.0.0.0 reaches the local host on many stacks
  "10.0.0.0/8", // private
  "100.64.0.0/10", // carrier-grade NAT
  "127.0.0.0/8", // loopback
  "169.254.0.0/16", // link-local, including cloud metadata endpoints (169.254.169.254)
  "172.16.0.0/12", // private
  "192.0.0.0/24", // IETF protocol assignments
  "192.0.2.0/24", // documentation (TEST-NET-1)
  "192.88.99.0/24", // deprecated 6to4 relay anycast
  "192.168.0.0/16", // private
  "198.18.0.0/15", // benchmarking
  "198.51.100.0/24", // documentation (TEST-NET-2)
  "203.0.113.0/24", // documentation (TEST-NET-3)
  "224.0.0.0/4", // multicast
  "240.0.0.0/4", // reserved, including the limited broadcast 255.255.255.255
].map(cidr);

/** Only 2000::/3 is allocated as global unicast; every other IPv6 block is special or unassigned. */
const GLOBAL_UNICAST_IPV6 = cidr("2000::/3");
/** Non-public blocks inside 2000::/3. */
const NON_PUBLIC_IPV6 = [
  "2001::/23", // IETF protocol assignments: Teredo, benchmarking, ORCHID (taken whole, as above)
  "2001:db8::/32", // documentation
  "3fff::/20", // documentation (RFC 9637)
].map(cidr);
/** NAT64 well-known prefix (RFC 6052): the last 32 bits are the IPv4 address it translates to. */
const NAT64_WELL_KNOWN = cidr("64:ff9b::/96");
/** 6to4 (RFC 3056): bits 16–47 are the IPv4 address of the site's relay. */
const SIX_TO_FOUR = cidr("2002::/16");

/**
 * Whether `ip` is a public unicast address: false for loopback, private (10/8, 172.16/12,
 * 192.168/16), carrier-grade NAT, link-local (169.254/16, fe80::/10), unique-local (fc00::/7),
 * unspecified, multicast, broadcast, documentation, benchmarking and reserved blocks; an
 * IPv4-mapped (`::ffff:…`), NAT64 (`64:ff9b::…`) or 6to4 (`2002:…`) address is judged by the IPv4
 * address it carries. Anything outside IPv6 global unicast (2000::/3) is not public.
 */
export function isPublicAddress(ip: IpAddress): boolean {
  if (ip.version === 4) return !ipInCidrs(ip, NON_PUBLIC_IPV4);
  const mapped = unmapIpv4(ip);
  if (mapped) return isPublicAddress(mapped);
  if (ipInCidr(ip, NAT64_WELL_KNOWN)) return isPublicAddress({ version: 4, bytes: ip.bytes.slice(12) });
  if (ipInCidr(ip, SIX_TO_FOUR)) return isPublicAddress({ version: 4, bytes: ip.bytes.slice(2, 6) });
  return ipInCidr(ip, GLOBAL_UNICAST_IPV6) && !ipInCidrs(ip, NON_PUBLIC_IPV6);
}
