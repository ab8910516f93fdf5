import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isInviteId } from "../../../src/features/invites/invite";
import { generateInviteCode, isInviteCodeShaped } from "../../../src/features/invites/invite-code";
import { INVITE_PROFILES, mayInviteTo } from "../../../src/features/invites/profiles";
import { cryptoRandom } from "../../../src/platform/random";
import { hashSecret } from "../../../src/platform/secrets";

describe("invite codes", () => {
  it("are eiv_ and 256 random bits in base64url; the prefix keeps 4 random characters; only the hash is kept", async () => {
    const code = await generateInviteCode(cryptoRandom);
    expect(code.code).toMatch(/^eiv_[A-Za-z0-9_-]{43}$/);
    expect(code.prefix).toBe(code.code.slice(0, 8));
    expect(code.hash).toBe(await hashSecret(code.code));
    expect(isInviteCodeShaped(code.code)).toBe(true);
  });

  it("every code from any 32 bytes is shaped like one; no two of 1000 are equal", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 32 }), async (bytes) => {
        const code = await generateInviteCode({ bytes: () => bytes });
        return isInviteCodeShaped(code.code) && code.code.length === 47;
      }),
    );
    const codes = await Promise.all(Array.from({ length: 1000 }, () => generateInviteCode(cryptoRandom)));
    expect(new Set(codes.map((code) => code.code)).size).toBe(1000);
  });

  it("refuses what is not a code of ours: other prefixes, lengths, alphabets and impossible endings", async () => {
    const { code } = await generateInviteCode(cryptoRandom);
    for (const text of [
      "",
      "eiv_",
      code.slice(0, -1),
      `${code}A`,
      code.replace("eiv_", "inv_"),
      `${code.slice(0, -1)}B`,
      `${code.slice(0, 10)}+${code.slice(11)}`,
    ]) {
      expect(isInviteCodeShaped(text), text).toBe(false);
    }
    expect(isInviteId("inv_06h2t030tm65x11y2aewd3bvh0")).toBe(true);
    expect(isInviteId(code)).toBe(false);
  });
});

describe("profiles (tipo_destino → tenant role)", () => {
  it("maps associado and colaborador to usuario, gestor and admin to themselves", () => {
    expect(INVITE_PROFILES).toEqual({
      associado: "usuario",
      colaborador: "usuario",
      gestor: "gestor",
      admin: "admin",
    });
  });

  it("lets an issuer invite only at or below their own global role", () => {
    const allowed = (role: "root" | "admin" | "gestor" | "usuario") =>
      Object.keys(INVITE_PROFILES).filter((profile) =>
        mayInviteTo(role, profile as keyof typeof INVITE_PROFILES),
      );
    expect(allowed("root")).toEqual(["associado", "colaborador", "gestor", "admin"]);
    expect(allowed("admin")).toEqual(["associado", "colaborador", "gestor", "admin"]);
    expect(allowed("gestor")).toEqual(["associado", "colaborador", "gestor"]);
    expect(allowed("usuario")).toEqual(["associado", "colaborador"]);
  });
});
