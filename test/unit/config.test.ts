import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config";
import { PRODUCTION_PASSWORD_COST } from "../helpers/password-cost";

describe("loadConfig", () => {
  it("parses the test environment with the wrangler.toml defaults", () => {
    // The test project overrides only the Argon2id cost (vitest.config.mts); wrangler.toml's is below.
    const config = loadConfig({ ...env, ...PRODUCTION_PASSWORD_COST });
    expect(config).toMatchObject({
      environment: "test",
      database: "d1",
      passwordHash: { memoryKib: 19456, iterations: 2, parallelism: 1 },
      maxBodyBytes: 65536,
      jwt: { issuer: "edge-auth", audience: "edge-auth-clients", accessTokenTtl: 900 },
    });
  });

  it("refuses Argon2id parameters below the OWASP minimum wherever a real password may be", () => {
    for (const ENVIRONMENT of ["development", "staging", "production"]) {
      expect(() => loadConfig({ ...env, ENVIRONMENT, PASSWORD_HASH_MEMORY_KIB: "8192" })).toThrow(
        /PASSWORD_HASH_MEMORY_KIB/,
      );
      expect(() => loadConfig({ ...env, ENVIRONMENT, PASSWORD_HASH_ITERATIONS: "1" })).toThrow(
        /PASSWORD_HASH_ITERATIONS/,
      );
    }
  });

  it("lets only the test environment hash cheaper, down to Argon2's own floor", () => {
    const cheap = {
      PASSWORD_HASH_MEMORY_KIB: "8",
      PASSWORD_HASH_ITERATIONS: "1",
      PASSWORD_HASH_PARALLELISM: "1",
    };
    expect(loadConfig({ ...env, ...cheap }).passwordHash).toEqual({
      memoryKib: 8,
      iterations: 1,
      parallelism: 1,
    });
    expect(() => loadConfig({ ...env, ...cheap, PASSWORD_HASH_MEMORY_KIB: "7" })).toThrow(
      /PASSWORD_HASH_MEMORY_KIB/,
    );
    expect(() => loadConfig({ ...env, ...cheap, PASSWORD_HASH_ITERATIONS: "0" })).toThrow(
      /PASSWORD_HASH_ITERATIONS/,
    );
  });

  it("names invalid variables without echoing secret values", () => {
    const attempt = () => loadConfig({ ...env, JWT_PRIVATE_KEY: "super-secret-but-not-a-pem" });
    expect(attempt).toThrow(/JWT_PRIVATE_KEY/);
    expect(attempt).not.toThrow(/super-secret/);
  });

  it("treats empty optional secrets as unset", () => {
    expect(loadConfig({ ...env, METRICS_TOKEN: "  " }).metricsToken).toBeUndefined();
  });
});
