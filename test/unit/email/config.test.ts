import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config";
import { PRODUCTION_PASSWORD_COST } from "../../helpers/password-cost";

// At wrangler.toml's Argon2id cost: only ENVIRONMENT=test accepts the test project's cheap one, and
// these tests switch to other environments.
const withVars = (vars: Record<string, string>) =>
  loadConfig({ ...env, ...PRODUCTION_PASSWORD_COST, ...vars } as Env);
const failureOf = (vars: Record<string, string>) => {
  try {
    withVars(vars);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected the configuration to be refused");
};

describe("mail configuration", () => {
  it("defaults: capture transport, MAIL_FROM parsed, app name and base URL, 5 retries", () => {
    const config = loadConfig(env);
    expect(config.mail).toEqual({
      transport: "capture",
      from: { name: "Edge Auth", address: "no-reply@example.com" },
      smtp: undefined,
      maxRetries: 5,
    });
    expect(config.app).toEqual({ name: "Edge Auth", baseUrl: "http://localhost:8787" });
  });

  it("SMTP: the port follows MAIL_TLS unless given", () => {
    const smtp = (vars: Record<string, string>) =>
      withVars({ MAIL_TRANSPORT: "smtp", MAIL_HOST: "smtp.example.test", ...vars }).mail.smtp;
    expect(smtp({})).toEqual({
      host: "smtp.example.test",
      port: 587,
      tls: "starttls",
      user: undefined,
      password: undefined,
    });
    expect(smtp({ MAIL_TLS: "tls" })?.port).toBe(465);
    expect(smtp({ MAIL_TLS: "none", MAIL_PORT: "2525" })?.port).toBe(2525);
    expect(smtp({ MAIL_USER: "mailer", MAIL_PASSWORD: "pw" })).toMatchObject({
      user: "mailer",
      password: "pw",
    });
  });

  it("refuses incomplete or unsafe SMTP settings, naming the variable and never its value", () => {
    expect(failureOf({ MAIL_TRANSPORT: "smtp" })).toContain("MAIL_HOST");
    expect(failureOf({ MAIL_TRANSPORT: "smtp", MAIL_HOST: "h", MAIL_USER: "u" })).toContain("MAIL_PASSWORD");
    const clear = failureOf({
      ENVIRONMENT: "production",
      MAIL_TRANSPORT: "smtp",
      MAIL_HOST: "h",
      MAIL_USER: "u",
      MAIL_PASSWORD: "s3cret-value",
      MAIL_TLS: "none",
    });
    expect(clear).toContain("MAIL_TLS");
    expect(clear).not.toContain("s3cret-value");
    expect(failureOf({ MAIL_TRANSPORT: "smtp", MAIL_HOST: "h", MAIL_PORT: "70000" })).toContain("MAIL_PORT");
    expect(failureOf({ MAIL_TRANSPORT: "carrier-pigeon" })).toContain("MAIL_TRANSPORT");
    expect(failureOf({ MAIL_FROM: "not an address" })).toContain("MAIL_FROM");
    expect(failureOf({ APP_BASE_URL: "javascript:alert(1)" })).toContain("APP_BASE_URL");
  });

  it("SMTP settings are not checked while another transport is chosen", () => {
    expect(withVars({ MAIL_TRANSPORT: "email-service", MAIL_USER: "u" }).mail.transport).toBe(
      "email-service",
    );
  });
});
