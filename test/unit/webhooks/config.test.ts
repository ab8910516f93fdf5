import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config";
import { PRODUCTION_PASSWORD_COST } from "../../helpers/password-cost";

// At wrangler.toml's Argon2id cost: only ENVIRONMENT=test accepts the test project's cheap one, and
// these tests switch to other environments.
const withVars = (vars: Record<string, string>) =>
  loadConfig({ ...env, ...PRODUCTION_PASSWORD_COST, ...vars } as Env);

describe("webhook configuration", () => {
  it("is off without TOKENS_WEBHOOK_URL; max retries default to wrangler.toml's 8", () => {
    expect(loadConfig(env).webhooks).toMatchObject({ url: undefined, maxRetries: 8 });
    expect(withVars({ TOKENS_WEBHOOK_URL: "  " }).webhooks.url).toBeUndefined();
  });

  it("reads the URL and every space-separated secret", () => {
    const config = withVars({
      TOKENS_WEBHOOK_URL: "https://hooks.example.com/in",
      TOKEN_WEBHOOK_SECRET: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw  old-secret",
    });
    expect(config.webhooks.url?.href).toBe("https://hooks.example.com/in");
    expect(config.webhooks.secrets).toEqual(["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "old-secret"]);
  });

  it("refuses http outside development and test, and private addresses in production", () => {
    expect(() =>
      withVars({ ENVIRONMENT: "staging", TOKENS_WEBHOOK_URL: "http://hooks.example.com/" }),
    ).toThrow(/TOKENS_WEBHOOK_URL: the URL must be https/);
    expect(() =>
      withVars({
        ENVIRONMENT: "production",
        TOKENS_WEBHOOK_URL: "https://169.254.169.254/",
        TOKEN_WEBHOOK_SECRET: "s",
      }),
    ).toThrow(/TOKENS_WEBHOOK_URL: the host is a private/);
    expect(
      withVars({ ENVIRONMENT: "development", TOKENS_WEBHOOK_URL: "http://localhost:9000/" }).webhooks.url
        ?.host,
    ).toBe("localhost:9000");
  });

  it("needs a secret in production, and a whsec_ secret must carry base64 (never echoed)", () => {
    expect(() =>
      withVars({
        ENVIRONMENT: "production",
        TOKENS_WEBHOOK_URL: "https://hooks.example.com/",
        TOKEN_WEBHOOK_SECRET: "",
      }),
    ).toThrow(/TOKEN_WEBHOOK_SECRET: required in production/);
    const attempt = () => withVars({ TOKEN_WEBHOOK_SECRET: "whsec_" });
    expect(attempt).toThrow(/TOKEN_WEBHOOK_SECRET/);
    expect(() => withVars({ TOKEN_WEBHOOK_SECRET: "whsec_!!!secret-value" })).not.toThrow(/secret-value/);
  });

  it("WEBHOOK_MAX_RETRIES and INVITE_TTL are bounded integers", () => {
    expect(() => withVars({ WEBHOOK_MAX_RETRIES: "-1" })).toThrow(/WEBHOOK_MAX_RETRIES/);
    expect(() => withVars({ INVITE_TTL: "0" })).toThrow(/INVITE_TTL/);
    expect(withVars({ INVITE_TTL: "60" }).inviteTtl).toBe(60);
  });
});
