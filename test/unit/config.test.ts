import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config";

describe("loadConfig", () => {
  it("parses the test environment with the wrangler.toml defaults", () => {
    const config = loadConfig(env);
    expect(config).toMatchObject({
      environment: "test",
      database: "d1",
      passwordHash: { memoryKib: 19456, iterations: 2, parallelism: 1 },
      maxBodyBytes: 65536,
      jwt: { issuer: "edge-auth", audience: "edge-auth-clients", accessTokenTtl: 900 },
    });
  });

  it("refuses Argon2id parameters below the OWASP minimum", () => {
    expect(() => loadConfig({ ...env, PASSWORD_HASH_MEMORY_KIB: "8192" })).toThrow(
      /PASSWORD_HASH_MEMORY_KIB/,
    );
    expect(() => loadConfig({ ...env, PASSWORD_HASH_ITERATIONS: "1" })).toThrow(/PASSWORD_HASH_ITERATIONS/);
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
