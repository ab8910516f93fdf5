import { describe, expect, it } from "vitest";
import { base64UrlEncode, hexEncode } from "../../../src/platform/encoding";
import { KeyedHasher } from "../../../src/platform/keyed-hash";
import { hashSecret } from "../../../src/platform/secrets";

const key = () => base64UrlEncode(crypto.getRandomValues(new Uint8Array(32)));

/** The same derivation, written out with WebCrypto, as an independent check. */
async function expectedDigest(keyText: string, purpose: string, value: string): Promise<string> {
  const raw = Uint8Array.from(atob(keyText.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  const master = await crypto.subtle.importKey("raw", raw, "HKDF", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    {
      name: "HKDF",
      hash: "SHA-256",
      salt: new Uint8Array(0),
      info: new TextEncoder().encode(`edge-auth keyed-hash v1: ${purpose}`),
    },
    master,
    256,
  );
  const hmac = await crypto.subtle.importKey("raw", bits, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return hexEncode(new Uint8Array(await crypto.subtle.sign("HMAC", hmac, new TextEncoder().encode(value))));
}

describe("KeyedHasher", () => {
  it("is HMAC-SHA-256 under an HKDF-derived key: 64 hex characters, not the bare SHA-256", async () => {
    const current = key();
    const hasher = await KeyedHasher.fromKeys(current, [], "recovery");
    const digest = await hasher.digest("usr_1:abcde12345");
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(digest).toBe(await expectedDigest(current, "recovery", "usr_1:abcde12345"));
    expect(digest).not.toBe(await hashSecret("usr_1:abcde12345"));
    expect(await hasher.digest("usr_1:abcde12345")).toBe(digest);
  });

  it("gives unrelated digests for another key, another purpose or another value", async () => {
    const current = key();
    const digest = await (await KeyedHasher.fromKeys(current, [], "a")).digest("123456");
    expect(await (await KeyedHasher.fromKeys(key(), [], "a")).digest("123456")).not.toBe(digest);
    expect(await (await KeyedHasher.fromKeys(current, [], "b")).digest("123456")).not.toBe(digest);
    expect(await (await KeyedHasher.fromKeys(current, [], "a")).digest("123457")).not.toBe(digest);
  });

  it("lists a digest per configured key, current first, so values stored before a rotation match", async () => {
    const [old, current] = [key(), key()];
    const before = await (await KeyedHasher.fromKeys(old, [], "codes")).digest("v");
    const rotated = await KeyedHasher.fromKeys(current, [old], "codes");
    const candidates = await rotated.candidates("v");
    expect(candidates).toEqual([await rotated.digest("v"), before]);
    expect(await (await KeyedHasher.fromKeys(current, [current], "codes")).candidates("v")).toHaveLength(1);
  });

  it("refuses a malformed key, naming which one and never its value", async () => {
    await expect(KeyedHasher.fromKeys("too-short", [], "p")).rejects.toThrow(/current key must be 32 bytes/);
    const bad = "!".repeat(43);
    const error = await KeyedHasher.fromKeys(key(), [bad], "p").catch((caught: Error) => caught);
    expect(String(error)).toMatch(/previous key #1/);
    expect(String(error)).not.toContain(bad);
  });
});
