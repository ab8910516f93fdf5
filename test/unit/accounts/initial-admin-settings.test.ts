import { describe, expect, it } from "vitest";
import type { Config } from "../../../src/config";
import {
  DEVELOPMENT_ADMIN,
  resolveAdminSettings,
} from "../../../src/features/accounts/initial-admin/service";

const settings = (environment: Config["environment"], initialAdmin: Config["initialAdmin"] = {}) =>
  resolveAdminSettings({ environment, initialAdmin });

describe("initial admin settings", () => {
  it("uses seed 002's defaults in development and test", () => {
    for (const environment of ["development", "test"] as const) {
      expect(settings(environment)).toEqual({
        settings: { ...DEVELOPMENT_ADMIN, tenants: ["default"], role: "root" },
      });
    }
  });

  it("lets ADMIN_* override the defaults in development", () => {
    expect(settings("development", { username: "boss", tenants: ["a", "b"] })).toMatchObject({
      settings: { username: "boss", email: DEVELOPMENT_ADMIN.email, tenants: ["a", "b"] },
    });
  });

  it("refuses to create an admin in production without username, e-mail and password, naming what is missing", () => {
    for (const environment of ["production", "staging"] as const) {
      const result = settings(environment);
      expect(result).toEqual({
        refused: `ADMIN_USERNAME, ADMIN_EMAIL, ADMIN_PASSWORD not set in ${environment}`,
      });
    }
    expect(settings("production", { username: "root", email: "root@example.com" })).toEqual({
      refused: "ADMIN_PASSWORD not set in production",
    });
  });

  it("refuses the default or a weak password in production", () => {
    const base = { username: "root", email: "root@example.com" };
    expect(settings("production", { ...base, password: "admin" })).toEqual({
      refused: "ADMIN_PASSWORD is the development default, refused in production",
    });
    expect(settings("production", { ...base, password: "password1" })).toMatchObject({
      refused: expect.stringContaining("too common"),
    });
    expect(settings("production", { ...base, password: "short" })).toMatchObject({
      refused: expect.stringContaining("at least 8"),
    });
  });

  it("accepts a strong production password; the name defaults to the username, no institutions", () => {
    expect(
      settings("production", {
        username: " root ",
        email: "root@example.com",
        password: "a strong passphrase here",
      }),
    ).toEqual({
      settings: {
        username: "root",
        email: "root@example.com",
        password: "a strong passphrase here",
        name: "root",
        tenants: [],
        role: "root",
      },
    });
  });

  it("makes the initial admin root unless ADMIN_ROLE says admin", () => {
    expect(settings("development")).toMatchObject({ settings: { role: "root" } });
    expect(settings("development", { role: "admin" })).toMatchObject({ settings: { role: "admin" } });
  });

  it("refuses an invalid username or e-mail", () => {
    expect(settings("development", { username: "no spaces please" })).toMatchObject({
      refused: expect.stringContaining("ADMIN_USERNAME"),
    });
    expect(settings("development", { email: "not-an-email" })).toMatchObject({
      refused: expect.stringContaining("ADMIN_EMAIL"),
    });
  });
});
