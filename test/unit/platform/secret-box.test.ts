import { afterEach, describe, expect, it, vi } from "vitest";
import { base64UrlDecode, base64UrlEncode, hexEncode } from "../../../src/platform/encoding";
import type { RandomSource } from "../../../src/platform/random";
import { type Sealed, SecretBox } from "../../../src/platform/secret-box";

const newKey = () => base64UrlEncode(crypto.getRandomValues(new Uint8Array(32)));
const zeros: RandomSource = { bytes: (length) => new Uint8Array(length) };
const ZERO_KEY = "A".repeat(43);

afterEach(() => {
  vi.restoreAllMocks();
});

describe("SecretBox", () => {
  it("seals and opens a value with its associated data", async () => {
    const box = await SecretBox.fromKeys(newKey());
    const sealed = await box.encrypt("JBSWY3DPEHPK3PXP", "usr_1");
    expect(sealed.ciphertext).not.toContain("JBSWY3DPEHPK3PXP");
    expect(await box.decrypt(sealed, "usr_1")).toBe("JBSWY3DPEHPK3PXP");
    expect(await box.decrypt(await box.encrypt("ação ✓", "usr_1"), "usr_1")).toBe("ação ✓");
  });

  it("seal/open: the same as one string <keyId>.<ciphertext>, refused when malformed or moved", async () => {
    const box = await SecretBox.fromKeys(newKey());
    const sealed = await box.seal("rst_a-reset-token", "email/evt_1");
    expect(sealed).toMatch(/^[0-9a-f]{16}\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain("rst_");
    expect(await box.open(sealed, "email/evt_1")).toBe("rst_a-reset-token");
    await expect(box.open(sealed, "email/evt_2")).rejects.toThrow(/does not open/);
    for (const malformed of ["", "no-dot", ".starts-with-a-dot"]) {
      await expect(box.open(malformed, "email/evt_1")).rejects.toThrow(/SecretBox/);
    }
    await expect((await SecretBox.fromKeys(newKey())).open(sealed, "email/evt_1")).rejects.toThrow(
      /not configured/,
    );
  });

  it("matches NIST's AES-256-GCM test case 14 (zero key, IV and block) and lays out iv ‖ ct ‖ tag", async () => {
    const box = await SecretBox.fromKeys(ZERO_KEY, [], zeros);
    const sealed = await box.encrypt("\0".repeat(16), "");
    expect(hexEncode(base64UrlDecode(sealed.ciphertext))).toBe(
      `${"00".repeat(12)}cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919`,
    );
  });

  it("names a key by the first 8 bytes of its SHA-256", async () => {
    const box = await SecretBox.fromKeys(ZERO_KEY);
    // SHA-256 of 32 zero bytes starts 66687aadf862bd77.
    expect((await box.encrypt("x", "a")).keyId).toBe("66687aadf862bd77");
    expect(box.isCurrent("66687aadf862bd77")).toBe(true);
  });

  it("uses a fresh IV for every value", async () => {
    const box = await SecretBox.fromKeys(newKey());
    const [first, second] = [await box.encrypt("same", "usr_1"), await box.encrypt("same", "usr_1")];
    expect(first.ciphertext).not.toBe(second.ciphertext);
    expect(base64UrlDecode(first.ciphertext).slice(0, 12)).not.toEqual(
      base64UrlDecode(second.ciphertext).slice(0, 12),
    );
  });

  it("does not open a ciphertext moved to another row (other associated data)", async () => {
    const box = await SecretBox.fromKeys(newKey());
    const alices = await box.encrypt("alice's secret", "usr_alice");
    await expect(box.decrypt(alices, "usr_bob")).rejects.toThrow(/does not open/);
    await expect(box.decrypt(alices, "")).rejects.toThrow(/does not open/);
  });

  it("refuses tampered, truncated or garbled ciphertexts", async () => {
    const box = await SecretBox.fromKeys(newKey());
    const sealed = await box.encrypt("secret", "usr_1");
    const bytes = base64UrlDecode(sealed.ciphertext);
    for (const index of [0, 12, bytes.length - 1]) {
      const flipped = bytes.slice();
      flipped[index]! ^= 1;
      await expect(box.decrypt({ ...sealed, ciphertext: base64UrlEncode(flipped) }, "usr_1")).rejects.toThrow(
        /does not open/,
      );
    }
    await expect(
      box.decrypt({ ...sealed, ciphertext: base64UrlEncode(bytes.slice(0, 27)) }, "usr_1"),
    ).rejects.toThrow(/too short/);
    await expect(box.decrypt({ ...sealed, ciphertext: "%%%not base64%%%" }, "usr_1")).rejects.toThrow(
      /not base64url/,
    );
  });

  it("rotates: a previous key still opens, new values use the current key", async () => {
    const [oldKey, currentKey] = [newKey(), newKey()];
    const before = await SecretBox.fromKeys(oldKey);
    const sealedBefore = await before.encrypt("kept across rotation", "usr_1");

    const rotated = await SecretBox.fromKeys(currentKey, [oldKey]);
    expect(await rotated.decrypt(sealedBefore, "usr_1")).toBe("kept across rotation");
    expect(rotated.isCurrent(sealedBefore.keyId)).toBe(false);
    const sealedAfter = await rotated.encrypt("kept across rotation", "usr_1");
    expect(sealedAfter.keyId).not.toBe(sealedBefore.keyId);
    expect(rotated.isCurrent(sealedAfter.keyId)).toBe(true);

    const retired = await SecretBox.fromKeys(currentKey);
    await expect(retired.decrypt(sealedBefore, "usr_1")).rejects.toThrow(/not configured/);
    await expect(before.decrypt(sealedAfter, "usr_1")).rejects.toThrow(/not configured/);
  });

  it("refuses a value whose key id was altered to another configured key", async () => {
    const [first, second] = [newKey(), newKey()];
    const box = await SecretBox.fromKeys(first, [second]);
    const sealed = await box.encrypt("secret", "usr_1");
    const other = (await (await SecretBox.fromKeys(second)).encrypt("x", "y")).keyId;
    const relabelled: Sealed = { ...sealed, keyId: other };
    await expect(box.decrypt(relabelled, "usr_1")).rejects.toThrow(/does not open/);
  });

  it("refuses keys that are not 32 bytes of base64url, naming the key but never its value", async () => {
    const short = base64UrlEncode(crypto.getRandomValues(new Uint8Array(31)));
    const long = base64UrlEncode(crypto.getRandomValues(new Uint8Array(33)));
    const standardBase64 = `${"+/".repeat(21)}A`;
    for (const bad of [short, long, "", standardBase64, `${newKey().slice(0, 42)}!`]) {
      const error = await SecretBox.fromKeys(bad).then(
        () => undefined,
        (caught: unknown) => caught as Error,
      );
      expect(error?.message).toMatch(/current key must be 32 bytes encoded as base64url/);
      if (bad) expect(error?.message).not.toContain(bad);
    }
    await expect(SecretBox.fromKeys(newKey(), [newKey(), short])).rejects.toThrow(/previous key #2/);
  });

  it("imports each key once per isolate", async () => {
    const [key, previous] = [newKey(), newKey()];
    const importKey = vi.spyOn(crypto.subtle, "importKey");
    await SecretBox.fromKeys(key);
    expect(importKey).toHaveBeenCalledTimes(1);
    await SecretBox.fromKeys(key, [previous]);
    const box = await SecretBox.fromKeys(key, [previous]);
    expect(importKey).toHaveBeenCalledTimes(2);
    expect(await box.decrypt(await box.encrypt("cached", "a"), "a")).toBe("cached");
  });
});
