import { describe, expect, it } from "vitest";
import {
  newPasswordProblem,
  normalizePassword,
  PASSWORD_MAX_BYTES,
  passwordSizeProblem,
} from "../../../src/features/accounts/password-policy";

describe("password policy", () => {
  it("accepts 8 to 256 characters of any Unicode, without composition rules", () => {
    for (const password of [
      "tangerine voyage",
      "correct horse battery staple",
      "ÁÉÍÓÚ çãõ ñ",
      "🔐🔑🗝️🛡️🔒🔓🧷🪪",
      "пароль-для-теста",
      "x".repeat(256),
    ]) {
      expect(newPasswordProblem(password)).toBeNull();
    }
  });

  it("counts characters (code points), not UTF-16 units or bytes", () => {
    expect(newPasswordProblem("🔐".repeat(7))).toMatch(/at least 8/);
    expect(newPasswordProblem("🔐".repeat(8))).toBeNull();
    expect(newPasswordProblem("x".repeat(7))).toMatch(/at least 8/);
    expect(newPasswordProblem("x".repeat(257))).toMatch(/at most 256/);
  });

  it("caps the size in bytes before anything else, cheaply even for huge input", () => {
    expect(newPasswordProblem("é".repeat(600))).toBe(`must be at most ${PASSWORD_MAX_BYTES} bytes of UTF-8`);
    const huge = "a".repeat(1024 * 1024);
    const started = performance.now();
    expect(passwordSizeProblem(huge)).not.toBeNull();
    expect(newPasswordProblem(huge)).not.toBeNull();
    expect(performance.now() - started).toBeLessThan(50);
    expect(passwordSizeProblem("a".repeat(PASSWORD_MAX_BYTES))).toBeNull();
  });

  it("refuses common passwords in any letter case", () => {
    for (const password of ["password", "PASSWORD1", "iloveyou", "qwertyuiop", "1qaz2wsx", "Sunshine"]) {
      expect(newPasswordProblem(password.length >= 8 ? password : `${password}xx`)).toMatch(/too common/);
    }
  });

  it("refuses the account's own username or e-mail (or its local part)", () => {
    const account = { username: "Maria.Silva", email: "maria.silva@example.com" };
    expect(newPasswordProblem("maria.silva", account)).toMatch(/username or e-mail/);
    expect(newPasswordProblem("MARIA.SILVA@EXAMPLE.COM", account)).toMatch(/username or e-mail/);
    expect(newPasswordProblem("maria.silva and more", account)).toBeNull();
  });

  it("normalises with NFKC so equivalent input hashes the same", () => {
    expect(normalizePassword("e\u0301tude")).toBe(normalizePassword("\u00e9tude"));
    expect(normalizePassword("ｐａｓｓ")).toBe("pass");
  });
});
