import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ChainRow, GENESIS_HASH, linkHash } from "../../../src/features/audit/chain";
import { displaySafe } from "../../../src/features/audit/display";

const row: ChainRow = {
  id: "aud_06h2t030tqmpg9g15ry5aq7750",
  event: "invite.use",
  result: "success",
  reason: null,
  actor_id: "usr_1",
  target_type: "invite",
  target_id: "inv_1",
  tenant_id: "tnt_1",
  ip: "203.0.113.9",
  user_agent: "ua",
  request_id: "req_1",
  client_request_id: "client-7",
  metadata: '{"role":"usuario"}',
  created_at: 1_767_225_600_000,
};

describe("audit chain links", () => {
  it("are SHA-256 hex of the scheme, position, previous hash and every column, fixed for a fixed row", async () => {
    const hash = await linkHash(GENESIS_HASH, 1, row);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await linkHash(GENESIS_HASH, 1, { ...row })).toBe(hash);
    const expected = Array.from(
      new Uint8Array(
        await crypto.subtle.digest(
          "SHA-256",
          new TextEncoder().encode(
            JSON.stringify([
              "edge-auth/audit-chain/v1",
              1,
              GENESIS_HASH,
              row.id,
              row.event,
              row.result,
              row.reason,
              row.actor_id,
              row.target_type,
              row.target_id,
              row.tenant_id,
              row.ip,
              row.user_agent,
              row.request_id,
              row.client_request_id,
              row.metadata,
              row.created_at,
            ]),
          ),
        ),
      ),
      (byte) => byte.toString(16).padStart(2, "0"),
    ).join("");
    expect(hash).toBe(expected);
  });

  it("change with any column, the position or the previous hash", async () => {
    const base = await linkHash(GENESIS_HASH, 7, row);
    const columns = Object.keys(row) as (keyof ChainRow)[];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...columns), fc.string({ maxLength: 20 }), async (column, value) => {
        const changed = {
          ...row,
          [column]: column === "created_at" ? row.created_at + 1 : `${row[column] ?? ""}${value}x`,
        };
        return (await linkHash(GENESIS_HASH, 7, changed)) !== base;
      }),
    );
    expect(await linkHash(GENESIS_HASH, 8, row)).not.toBe(base);
    expect(await linkHash("1".repeat(64), 7, row)).not.toBe(base);
    // Values cannot bleed into each other: moving text between two columns changes the hash.
    expect(await linkHash(GENESIS_HASH, 7, { ...row, reason: "a", actor_id: "bc" })).not.toBe(
      await linkHash(GENESIS_HASH, 7, { ...row, reason: "ab", actor_id: "c" }),
    );
  });
});

describe("displaySafe (user agents in audit listings)", () => {
  it("escapes controls and bidi overrides, keeps other text, caps the length", () => {
    expect(displaySafe(null)).toBeNull();
    expect(displaySafe("Mozilla/5.0 (Linux) — café")).toBe("Mozilla/5.0 (Linux) — café");
    expect(displaySafe("a\u0000b\nc\u202ed\u2066e\u0085")).toBe("a\\u{0}b\\u{a}c\\u{202e}d\\u{2066}e\\u{85}");
    const long = displaySafe("x".repeat(1000))!;
    expect(long).toHaveLength(256);
    expect(long.endsWith("…")).toBe(true);
  });

  it("never lets a control or bidi character through, whatever the input", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), (text) => {
        const shown = displaySafe(text)!;
        const unsafe = [...shown].some((char) => {
          const point = char.codePointAt(0)!;
          return (
            point <= 0x1f ||
            (point >= 0x7f && point <= 0x9f) ||
            (point >= 0x202a && point <= 0x202e) ||
            (point >= 0x2066 && point <= 0x2069)
          );
        });
        return shown.length <= 256 && !unsafe;
      }),
    );
  });
});
