import { encode } from "uqr";
import { describe, expect, it } from "vitest";
import { qrSvg } from "../../../src/features/two-factor/qr-svg";

const URI =
  "otpauth://totp/Edge%20Auth:ana%40example.com?issuer=Edge%20Auth&secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA1&digits=6&period=30";

/** Checks that every tag closes in order (no DOMParser in workerd) and returns the tag names. */
function tagsOf(svg: string): string[] {
  const open: string[] = [];
  const names: string[] = [];
  for (const [, closing, name, , selfClosing] of svg.matchAll(
    /<(\/?)([a-zA-Z]+)((?:\s+[a-zA-Z:-]+="[^"<]*")*)\s*(\/?)>/g,
  )) {
    names.push(name!);
    if (closing) expect(open.pop()).toBe(name);
    else if (!selfClosing) open.push(name!);
  }
  expect(open).toEqual([]);
  return names;
}

/** Rebuilds the module grid from the path's horizontal runs `M{x} {y}h{n}v1h-{n}z`. */
function gridOf(svg: string, size: number): boolean[][] {
  const grid = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
  const d = /<path[^>]* d="([^"]*)"/.exec(svg)![1]!;
  const runs = [...d.matchAll(/M(\d+) (\d+)h(\d+)v1h-(\d+)z/g)];
  expect(runs.map((run) => run[0]).join("")).toBe(d);
  for (const [, x, y, width] of runs) {
    for (let i = 0; i < Number(width); i++) grid[Number(y)]![Number(x) + i] = true;
  }
  return grid;
}

describe("qrSvg", () => {
  it("is a well-formed, accessible SVG with nothing external and nothing executable", () => {
    const svg = qrSvg(URI, "Código QR para o aplicativo autenticador");
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.endsWith("</svg>")).toBe(true);
    expect(tagsOf(svg)).toEqual(["svg", "title", "title", "rect", "path", "svg"]);
    expect(svg).toContain('role="img"');
    expect(svg).toContain('aria-label="Código QR para o aplicativo autenticador"');
    expect(svg).toContain("<title>Código QR para o aplicativo autenticador</title>");
    expect(svg).not.toMatch(/href|<script|<image|<foreignObject|url\(|\son[a-z]+=/i);
    // The only URL is the SVG namespace, which is a name, not something fetched.
    expect(svg.match(/https?:\/\/[^"]*/g)).toEqual(["http://www.w3.org/2000/svg"]);
  });

  it("draws exactly the modules uqr encodes, with a 4-module quiet zone", () => {
    const { size, data } = encode(URI, { ecc: "M", border: 4 });
    const svg = qrSvg(URI);
    expect(svg).toContain(`viewBox="0 0 ${size} ${size}"`);
    expect(gridOf(svg, size)).toEqual(data);
    for (let i = 0; i < size; i++) {
      for (const edge of [0, 3, size - 4, size - 1]) {
        expect(data[edge]![i]).toBe(false);
        expect(data[i]![edge]).toBe(false);
      }
    }
    // The finder pattern's top-left corner sits just inside the quiet zone.
    expect(data[4]![4]).toBe(true);
  });

  it("is deterministic: the same text gives the same SVG, other text another", () => {
    expect(qrSvg(URI)).toBe(qrSvg(URI));
    expect(qrSvg(URI)).not.toBe(qrSvg(URI.replace("GEZ", "MFR")));
  });

  it("escapes the label", () => {
    const svg = qrSvg("x", 'a"<b>&c');
    expect(svg).toContain('aria-label="a&quot;&lt;b&gt;&amp;c"');
    expect(svg).toContain("<title>a&quot;&lt;b&gt;&amp;c</title>");
    expect(svg).not.toContain("<b>");
  });
});
