import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  formatCidr,
  formatIpAddress,
  type IpAddress,
  ipInCidrs,
  isPublicAddress,
  parseCidr,
  parseIpAddress,
  unmapIpv4,
} from "../../../src/platform/ip-address";

const ip = (text: string): IpAddress => {
  const parsed = parseIpAddress(text);
  if (!parsed) throw new Error(`test address ${text} does not parse`);
  return parsed;
};
const block = (text: string) => {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(`test block ${text}: ${parsed.reason}`);
  return parsed.cidr;
};
/** The address as workerd's WHATWG URL parser reads it: an independent IPv6 implementation. */
const viaUrl = (text: string) => new URL(`http://[${text}]/`).hostname.slice(1, -1);

const groupsOf = (bytes: Uint8Array) =>
  Array.from({ length: 8 }, (_, i) => (bytes[2 * i]! << 8) | bytes[2 * i + 1]!);

/** IPv6 groups with zero runs common enough that `::` shows up in most samples. */
const ipv6Groups = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), {
  minLength: 8,
  maxLength: 8,
});
const bytesFromGroups = (groups: number[]) =>
  Uint8Array.from(groups.flatMap((group) => [group >> 8, group & 0xff]));

/**
 * Any valid textual form of `groups`: per-group case and leading zeros, `::` over any run of zero
 * groups (not only the longest), and optionally the last 32 bits in dotted decimal.
 */
const ipv6Text = ipv6Groups.chain((groups) =>
  fc
    .record({
      upper: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
      pad: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 8, maxLength: 8 }),
      dotted: fc.boolean(),
      compress: fc.nat(),
    })
    .map(({ upper, pad, dotted, compress }) => {
      const pieces = groups.map((group, i) => {
        const hex = group.toString(16).padStart(Math.min(4, group.toString(16).length + pad[i]!), "0");
        return upper[i] ? hex.toUpperCase() : hex;
      });
      const count = dotted ? 6 : 8;
      const texts = pieces.slice(0, count);
      if (dotted) {
        const b = bytesFromGroups(groups);
        texts.push(`${b[12]}.${b[13]}.${b[14]}.${b[15]}`);
      }
      const runs: [number, number][] = [];
      for (let start = 0; start < count; start++) {
        for (let end = start + 1; end <= count && groups[end - 1] === 0; end++) runs.push([start, end]);
      }
      if (runs.length === 0 || compress % 3 === 0) return { groups, text: texts.join(":") };
      const [start, end] = runs[compress % runs.length]!;
      const text = `${texts.slice(0, start).join(":")}::${texts.slice(end).join(":")}`;
      return { groups, text };
    }),
);

describe("parseIpAddress and formatIpAddress", () => {
  it.each([
    ["192.0.2.1", "192.0.2.1"],
    ["0.0.0.0", "0.0.0.0"],
    ["255.255.255.255", "255.255.255.255"],
    ["::", "::"],
    ["::1", "::1"],
    ["1::", "1::"],
    ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
    ["2001:0db8:0000:0000:0001:0000:0000:0001", "2001:db8::1:0:0:1"],
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
    ["1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"],
    ["::ffff:1.2.3.4", "::ffff:1.2.3.4"],
    ["::FFFF:0102:0304", "::ffff:1.2.3.4"],
    ["0:0:0:0:0:ffff:10.0.0.1", "::ffff:10.0.0.1"],
    ["64:ff9b::192.0.2.33", "64:ff9b::c000:221"],
    ["::1.2.3.4", "::102:304"],
    ["1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"],
    ["fe80:0:0:0:1::", "fe80::1:0:0:0"],
  ])("%s parses and formats as %s", (text, canonical) => {
    expect(formatIpAddress(ip(text))).toBe(canonical);
  });

  it("reads the bytes and the version", () => {
    expect(parseIpAddress("10.1.2.3")).toEqual({ version: 4, bytes: Uint8Array.from([10, 1, 2, 3]) });
    expect(parseIpAddress("::ffff:10.1.2.3")).toEqual({
      version: 6,
      bytes: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3]),
    });
  });

  it.each([
    "",
    "1.2.3",
    "1.2.3.4.5",
    "256.1.1.1",
    "01.2.3.4",
    "1.2.3.04",
    "1.2.3.-1",
    "1.2.3.4 ",
    " ::1",
    "0x7f.0.0.1",
    "127.1",
    "1::2::3",
    ":::",
    ":1::",
    "1:::",
    "1:",
    ":1",
    "1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7:8::",
    "::1:2:3:4:5:6:7:8",
    "12345::",
    "g::1",
    "fe80::1%eth0",
    "fe80::1%1",
    "[::1]",
    "::ffff:1.2.3",
    "::ffff:1.2.3.256",
    "1.2.3.4::",
    "::1.2.3.4:5",
    "1:2:3:4:5:6:7:1.2.3.4",
    "localhost",
  ])("refuses %j", (text) => {
    expect(parseIpAddress(text)).toBeUndefined();
  });

  it("round-trips every IPv4 address", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (bytes) => {
        expect(parseIpAddress(formatIpAddress({ version: 4, bytes }))).toEqual({ version: 4, bytes });
      }),
    );
  });

  it("round-trips every IPv6 address, and its canonical text is a fixed point", () => {
    fc.assert(
      fc.property(ipv6Groups, (groups) => {
        const bytes = bytesFromGroups(groups);
        const text = formatIpAddress({ version: 6, bytes });
        expect(parseIpAddress(text)).toEqual({ version: 6, bytes });
        expect(formatIpAddress(ip(text))).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it("reads any textual form as the WHATWG URL parser does, and formats as it does (but for ::ffff:a.b.c.d)", () => {
    fc.assert(
      fc.property(ipv6Text, ({ groups, text }) => {
        const parsed = parseIpAddress(text);
        expect(parsed?.version).toBe(6);
        expect(groupsOf(parsed!.bytes)).toEqual(groups);
        expect(groupsOf(ip(viaUrl(text)).bytes)).toEqual(groups);
        const canonical = formatIpAddress(parsed!);
        if (!unmapIpv4(parsed!)) {
          expect(canonical).toBe(viaUrl(text));
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe("parseCidr", () => {
  it.each([
    ["10.0.0.0/8", "10.0.0.0/8"],
    ["0.0.0.0/0", "0.0.0.0/0"],
    ["192.0.2.7/32", "192.0.2.7/32"],
    ["172.16.0.0/12", "172.16.0.0/12"],
    ["2001:DB8::/32", "2001:db8::/32"],
    ["::/0", "::/0"],
    ["fe80::/10", "fe80::/10"],
    ["::ffff:10.0.0.0/104", "::ffff:10.0.0.0/104"],
    ["2001:db8::1/128", "2001:db8::1/128"],
  ])("%s is the block %s", (text, canonical) => {
    expect(formatCidr(block(text))).toBe(canonical);
  });

  it.each([
    ["10.0.0.1/8", "host bits are set"],
    ["172.31.0.0/11", "host bits are set"],
    ["2001:db8::1/32", "host bits are set"],
    ["fe80::/8", "host bits are set"],
    ["10.0.0.0/33", "from 0 to 32"],
    ["::/129", "from 0 to 128"],
    ["10.0.0.0/08", "from 0 to 32"],
    ["10.0.0.0/", "from 0 to 32"],
    ["10.0.0.0/-1", "from 0 to 32"],
    ["10.0.0.0/ 8", "from 0 to 32"],
    ["10.0.0.0", "expected address/prefix"],
    ["10.0.0.0/8/8", "expected address/prefix"],
    ["10.0.0/8", "not an IPv4 or IPv6 address"],
    ["fe80::%eth0/64", "not an IPv4 or IPv6 address"],
  ])("refuses %s (%s)", (text, reason) => {
    const parsed = parseCidr(text);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? "" : parsed.reason).toContain(reason);
  });

  it("round-trips every block", () => {
    fc.assert(
      fc.property(ipv6Groups, fc.integer({ min: 0, max: 128 }), (groups, prefixLength) => {
        const bytes = bytesFromGroups(groups);
        // Clear the host bits to make a valid network address.
        for (let bit = prefixLength; bit < 128; bit++) bytes[bit >> 3]! &= ~(1 << (7 - (bit & 7)));
        const text = formatCidr({ network: { version: 6, bytes }, prefixLength });
        expect(parseCidr(text)).toEqual({ ok: true, cidr: { network: { version: 6, bytes }, prefixLength } });
      }),
    );
  });
});

describe("ipInCidrs", () => {
  const allowList = ["10.0.0.0/8", "172.16.0.0/12", "2001:db8::/32", "192.0.2.7/32"].map(block);

  it.each([
    ["10.255.255.255", true],
    ["11.0.0.0", false],
    ["172.31.255.255", true],
    ["172.32.0.0", false],
    ["192.0.2.7", true],
    ["192.0.2.8", false],
    ["2001:db8:ffff::1", true],
    ["2001:db9::", false],
    ["::ffff:10.1.2.3", true],
    ["::ffff:11.1.2.3", false],
    ["::10.1.2.3", false],
    ["64:ff9b::10.1.2.3", false],
  ])("%s in the allow-list: %s", (text, inside) => {
    expect(ipInCidrs(ip(text), allowList)).toBe(inside);
  });

  it("an IPv4 address matches a block written in the IPv4-mapped form", () => {
    expect(ipInCidrs(ip("10.1.2.3"), [block("::ffff:10.0.0.0/104")])).toBe(true);
    expect(ipInCidrs(ip("11.1.2.3"), [block("::ffff:10.0.0.0/104")])).toBe(false);
    expect(ipInCidrs(ip("10.1.2.3"), [block("::/0")])).toBe(true);
  });

  it("matches nothing against an empty list, everything of a version against /0", () => {
    expect(ipInCidrs(ip("10.1.2.3"), [])).toBe(false);
    expect(ipInCidrs(ip("203.0.113.9"), [block("0.0.0.0/0")])).toBe(true);
    expect(ipInCidrs(ip("2001:db8::1"), [block("0.0.0.0/0")])).toBe(false);
  });

  it("an address is inside exactly when its first prefixLength bits equal the network's", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.integer({ min: 0, max: 32 }),
        (networkBytes, addressBytes, prefixLength) => {
          const network = Uint8Array.from(networkBytes);
          for (let bit = prefixLength; bit < 32; bit++) network[bit >> 3]! &= ~(1 << (7 - (bit & 7)));
          const toNumber = (bytes: Uint8Array) =>
            ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
          const mask = prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
          const expected = (toNumber(addressBytes) & mask) >>> 0 === toNumber(network);
          const cidr = { network: { version: 4 as const, bytes: network }, prefixLength };
          expect(ipInCidrs({ version: 4, bytes: addressBytes }, [cidr])).toBe(expected);
          expect(ipInCidrs(ip(`::ffff:${Array.from(addressBytes).join(".")}`), [cidr])).toBe(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("isPublicAddress", () => {
  it.each([
    // IPv4 special-purpose blocks, at both ends where it matters.
    ["0.0.0.0", false, "unspecified / this network"],
    ["0.255.255.255", false, "this network"],
    ["10.0.0.1", false, "private"],
    ["100.64.0.1", false, "CGNAT"],
    ["100.127.255.255", false, "CGNAT"],
    ["100.128.0.0", true, "just past CGNAT"],
    ["127.0.0.1", false, "loopback"],
    ["127.255.255.254", false, "loopback"],
    ["169.254.169.254", false, "link-local (cloud metadata)"],
    ["172.16.0.1", false, "private"],
    ["172.31.255.255", false, "private"],
    ["172.32.0.1", true, "just past 172.16/12"],
    ["192.0.0.8", false, "IETF protocol assignments"],
    ["192.0.2.1", false, "TEST-NET-1"],
    ["192.88.99.1", false, "6to4 relay anycast"],
    ["192.168.1.1", false, "private"],
    ["198.18.0.1", false, "benchmarking"],
    ["198.51.100.1", false, "TEST-NET-2"],
    ["203.0.113.1", false, "TEST-NET-3"],
    ["224.0.0.1", false, "multicast"],
    ["239.255.255.250", false, "multicast"],
    ["240.0.0.1", false, "reserved"],
    ["255.255.255.255", false, "broadcast"],
    ["1.1.1.1", true, "public"],
    ["8.8.8.8", true, "public"],
    ["9.255.255.255", true, "just below 10/8"],
    ["11.0.0.0", true, "just past 10/8"],
    ["104.16.0.1", true, "public"],
    // IPv6.
    ["::", false, "unspecified"],
    ["::1", false, "loopback"],
    ["fe80::1", false, "link-local"],
    ["febf:ffff::1", false, "link-local"],
    ["fec0::1", false, "deprecated site-local"],
    ["fc00::1", false, "unique local"],
    ["fd12:3456::1", false, "unique local"],
    ["ff02::1", false, "multicast"],
    ["ff0e::1", false, "multicast (global scope)"],
    ["100::1", false, "discard-only"],
    ["2001:db8::1", false, "documentation"],
    ["3fff::1", false, "documentation (RFC 9637)"],
    ["2001::1", false, "Teredo"],
    ["2001:2::1", false, "benchmarking"],
    ["4000::1", false, "unallocated, outside 2000::/3"],
    ["2606:4700:4700::1111", true, "public"],
    ["2a00:1450:4001::1", true, "public"],
    ["2001:4860:4860::8888", true, "public"],
    // IPv4 carried inside IPv6.
    ["::ffff:127.0.0.1", false, "IPv4-mapped loopback"],
    ["::ffff:10.0.0.1", false, "IPv4-mapped private"],
    ["::ffff:169.254.169.254", false, "IPv4-mapped metadata"],
    ["::ffff:8.8.8.8", true, "IPv4-mapped public"],
    ["::127.0.0.1", false, "deprecated IPv4-compatible"],
    ["::8.8.8.8", false, "deprecated IPv4-compatible"],
    ["::ffff:0:8.8.8.8", false, "IPv4-translated (SIIT)"],
    ["64:ff9b::10.0.0.1", false, "NAT64 of a private address"],
    ["64:ff9b::127.0.0.1", false, "NAT64 of loopback"],
    ["64:ff9b::8.8.8.8", true, "NAT64 of a public address"],
    ["64:ff9b:1::8.8.8.8", false, "local-use NAT64"],
    ["2002:0a00:0001::1", false, "6to4 of a private address"],
    ["2002:7f00:0001::", false, "6to4 of loopback"],
    ["2002:0808:0808::1", true, "6to4 of a public address"],
  ])("%s → %s (%s)", (text, expected) => {
    expect(isPublicAddress(ip(text))).toBe(expected);
  });

  it("judges an IPv4-mapped address exactly as its IPv4 address", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (bytes) => {
        const v4 = { version: 4 as const, bytes };
        expect(isPublicAddress(ip(`::ffff:${formatIpAddress(v4)}`))).toBe(isPublicAddress(v4));
        expect(isPublicAddress(ip(`64:ff9b::${formatIpAddress(v4)}`))).toBe(isPublicAddress(v4));
      }),
      { numRuns: 500 },
    );
  });
});
