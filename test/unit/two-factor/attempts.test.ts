import { describe, expect, it } from "vitest";
import { maskEmail } from "../../../src/features/two-factor/emailed-codes";
import { attemptedMethod } from "../../../src/features/two-factor/second-factor-verifier";

describe("attemptedMethod", () => {
  it("reads six digits as the user's method and a recovery-looking code as recovery", () => {
    expect(attemptedMethod("totp", "123456")).toBe("totp");
    expect(attemptedMethod("email", "123456")).toBe("email");
    expect(attemptedMethod("totp", "abcde-12345")).toBe("recovery");
    expect(attemptedMethod("email", "ABCDE 12345")).toBe("recovery");
    expect(attemptedMethod("totp", "0123456789")).toBe("recovery");
  });

  it("tries anything else as the user's method (and it is refused there)", () => {
    for (const code of ["12345", "1234567", "12a456", "", "x".repeat(100)]) {
      expect(attemptedMethod("totp", code)).toBe("totp");
    }
  });
});

describe("maskEmail", () => {
  it("keeps the first character and the domain", () => {
    expect(maskEmail("maria@example.com")).toBe("m•••@example.com");
    expect(maskEmail("a@b.co")).toBe("a•••@b.co");
    expect(maskEmail("not-an-address")).toBe("•••");
  });
});
