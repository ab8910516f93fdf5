import { env } from "cloudflare:test";
import { exportSPKI, importJWK, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/platform/clock";
import { base64UrlEncode } from "../../src/platform/encoding";
import { AppError } from "../../src/platform/errors";
import { JwtService } from "../../src/platform/jwt";

const options = {
  issuer: "edge-auth",
  audience: "edge-auth-clients",
  privateKeyPem: env.JWT_PRIVATE_KEY,
  previousPublicKeysPem: env.JWT_PREVIOUS_PUBLIC_KEYS,
};
const clock = new ManualClock(Date.UTC(2026, 5, 1));
const jwt = new JwtService(options, clock);
const claims = { sub: "usr_1", user_id: "usr_1", roles: ["usuario"] };

async function expectInvalid(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe("INVALID_TOKEN");
}

function encodeJson(value: unknown): string {
  return base64UrlEncode(new TextEncoder().encode(JSON.stringify(value)));
}

describe("JwtService", () => {
  it("signs RS256 with the key's thumbprint as kid and verifies", async () => {
    const token = await jwt.sign("access", claims, 900);
    const [header] = token.split(".");
    const decoded = JSON.parse(atob(header!.replace(/-/g, "+").replace(/_/g, "/")));
    const { keys } = await jwt.jwks();
    expect(decoded).toEqual({ alg: "RS256", kid: keys[0]!.kid, typ: "at+jwt" });
    const payload = await jwt.verify("access", token);
    expect(payload).toMatchObject({ ...claims, iss: "edge-auth", aud: "edge-auth-clients" });
    expect(payload.exp! - payload.iat!).toBe(900);
  });

  it("never accepts a refresh token as an access token, or the reverse", async () => {
    await expectInvalid(jwt.verify("access", await jwt.sign("refresh", { ...claims, jti: "rtk_1" }, 900)));
    await expectInvalid(jwt.verify("refresh", await jwt.sign("access", claims, 900)));
  });

  it("rejects expired tokens by the injected clock", async () => {
    const token = await jwt.sign("access", claims, 60);
    clock.advance(61_000);
    await expectInvalid(jwt.verify("access", token));
    clock.advance(-61_000);
  });

  it("rejects a wrong issuer or audience", async () => {
    const otherIssuer = new JwtService({ ...options, issuer: "someone-else" }, clock);
    const otherAudience = new JwtService({ ...options, audience: "other-app" }, clock);
    await expectInvalid(jwt.verify("access", await otherIssuer.sign("access", claims, 900)));
    await expectInvalid(jwt.verify("access", await otherAudience.sign("access", claims, 900)));
  });

  it("rejects alg none", async () => {
    const { keys } = await jwt.jwks();
    const now = Math.floor(clock.now().getTime() / 1000);
    const payload = { ...claims, iss: "edge-auth", aud: "edge-auth-clients", iat: now, exp: now + 900 };
    const token = `${encodeJson({ alg: "none", kid: keys[0]!.kid, typ: "at+jwt" })}.${encodeJson(payload)}.`;
    await expectInvalid(jwt.verify("access", token));
  });

  it("rejects HS256 signed with the public key as the HMAC secret (algorithm confusion)", async () => {
    const { keys } = await jwt.jwks();
    const publicPem = await exportSPKI((await importJWK(keys[0]!, "RS256")) as CryptoKey);
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", kid: keys[0]!.kid, typ: "at+jwt" })
      .setIssuer("edge-auth")
      .setAudience("edge-auth-clients")
      .setIssuedAt(Math.floor(clock.now().getTime() / 1000))
      .setExpirationTime(Math.floor(clock.now().getTime() / 1000) + 900)
      .sign(new TextEncoder().encode(publicPem));
    await expectInvalid(jwt.verify("access", token));
  });

  it("rejects a tampered payload and an unknown kid", async () => {
    const [header, , signature] = (await jwt.sign("access", claims, 900)).split(".");
    const forged = encodeJson({
      ...claims,
      roles: ["root"],
      iss: "edge-auth",
      aud: "edge-auth-clients",
      exp: 4e9,
    });
    await expectInvalid(jwt.verify("access", `${header}.${forged}.${signature}`));
    const stranger = await crypto.subtle.generateKey(
      {
        name: "RSASSA-PKCS1-v1_5",
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: "SHA-256",
      },
      true,
      ["sign", "verify"],
    );
    const strangerToken = await new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: "someone-elses-key", typ: "at+jwt" })
      .setIssuer("edge-auth")
      .setAudience("edge-auth-clients")
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign((stranger as CryptoKeyPair).privateKey);
    await expectInvalid(jwt.verify("access", strangerToken));
    await expectInvalid(jwt.verify("access", "not-a-jwt"));
  });

  it("keeps verifying tokens of the previous key after a rotation, and lists both in the JWKS", async () => {
    const previous = new JwtService({ ...options, privateKeyPem: env.TEST_PREVIOUS_PRIVATE_KEY }, clock);
    const oldToken = await previous.sign("access", claims, 900);
    await expect(jwt.verify("access", oldToken)).resolves.toMatchObject({ sub: "usr_1" });
    const { keys } = await jwt.jwks();
    expect(keys.map((key) => key.kid)).toContain((await previous.jwks()).keys[0]!.kid);
    const withoutPrevious = new JwtService({ ...options, previousPublicKeysPem: undefined }, clock);
    await expectInvalid(withoutPrevious.verify("access", oldToken));
  });
});
