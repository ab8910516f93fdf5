/**
 * The client a request comes from, as a rate-limit key: `CF-Connecting-IP`, which Cloudflare sets
 * and clients cannot forge (unlike `X-Forwarded-For`, which is never read). IPv4 as dotted quad;
 * IPv6 as its /64, because one subscriber usually holds a whole /64 and could otherwise rotate
 * addresses; an IPv4-mapped IPv6 address counts as the IPv4 one. A missing or unparsable header
 * (only outside Cloudflare) is `unknown`, one shared bucket rather than no limit.
 */
export function clientAddress(headers: Headers): string {
  const raw = headers.get("cf-connecting-ip")?.trim() ?? "";
  return ipv4(raw) ?? ipv6Prefix(raw) ?? "unknown";
}

/** An identifier as a user may type it: Unicode NFKC, trimmed, lower case. */
export function normaliseIdentifier(value: string): string {
  return value.normalize("NFKC").trim().toLowerCase();
}

function ipv4(text: string): string | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1).map(Number);
  return octets.every((octet) => octet <= 255) ? octets.join(".") : undefined;
}

function ipv6Prefix(text: string): string | undefined {
  const groups = ipv6Groups(text.replace(/%.*$/, "").toLowerCase());
  if (!groups) return undefined;
  const isMapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  if (isMapped) {
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join(".");
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(":")}::/64`;
}

function ipv6Groups(text: string): number[] | undefined {
  let address = text;
  const embedded = /(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(address);
  if (embedded) {
    const v4 = ipv4(embedded[1]!);
    if (!v4) return undefined;
    const [a, b, c, d] = v4.split(".").map(Number) as [number, number, number, number];
    address = `${address.slice(0, embedded.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = address.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const parts = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  if (!parts.every((part) => /^[0-9a-f]{1,4}$/.test(part))) return undefined;
  return parts.map((part) => Number.parseInt(part, 16));
}
