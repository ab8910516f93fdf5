import { describe, expect, it } from "vitest";
import { type ApiToken, isApiTokenActive } from "../../../src/features/api-tokens/api-token";

const T0 = new Date(Date.UTC(2026, 0, 1));
const later = (ms: number) => new Date(T0.getTime() + ms);

const token: ApiToken = {
  id: "tok_01kdx5q8c0000000000000000",
  userId: "usr_01kdx5q8c0000000000000000",
  nome: "Relatórios",
  descricao: null,
  scope: "read",
  permissions: null,
  allowedIps: null,
  rateLimit: null,
  tokenStart: "eat_AbCdEf",
  createdAt: T0,
  expiresAt: later(60_000),
  lastUsedAt: null,
  revokedAt: null,
  revokedBy: null,
  revokedReason: null,
};

describe("isApiTokenActive", () => {
  it("holds until the expiry instant, not at it", () => {
    expect(isApiTokenActive(token, T0)).toBe(true);
    expect(isApiTokenActive(token, later(59_999))).toBe(true);
    expect(isApiTokenActive(token, later(60_000))).toBe(false);
  });

  it("holds for ever without an expiry, and never once revoked", () => {
    expect(isApiTokenActive({ ...token, expiresAt: null }, later(10 * 365 * 86_400_000))).toBe(true);
    const revoked = { ...token, expiresAt: null, revokedAt: later(1), revokedReason: "leaked" as const };
    expect(isApiTokenActive(revoked, T0)).toBe(false);
  });
});
