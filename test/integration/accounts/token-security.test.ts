import { env } from "cloudflare:test";
import { calculateJwkThumbprint, exportJWK, importPKCS8, type JWTPayload, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import {
  bearer,
  createHarness,
  decodeJwt,
  expectProblem,
  jsonRequest,
  loginAsAdmin,
  register,
  type TokenPairBody,
  viaSelf,
} from "../../helpers/accounts";

const b64url = (value: string) => btoa(value).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

async function signWith(
  privateKeyPem: string,
  payload: JWTPayload,
  header: Record<string, unknown> = {},
): Promise<string> {
  const key = await importPKCS8(privateKeyPem, "RS256", { extractable: true });
  const { n, e, kty } = await exportJWK(key);
  const kid = await calculateJwkThumbprint({ n, e, kty });
  return new SignJWT(payload).setProtectedHeader({ alg: "RS256", kid, typ: "at+jwt", ...header }).sign(key);
}

describe("tokens that must be rejected", () => {
  let tokens: TokenPairBody;
  let claims: Record<string, unknown>;
  let kid: string;
  let introspector: string;

  beforeAll(async () => {
    ({ tokens } = await register(viaSelf));
    introspector = (await loginAsAdmin(viaSelf)).accessToken;
    const decoded = decodeJwt(tokens.accessToken);
    claims = decoded.payload;
    kid = decoded.header.kid as string;
  });

  const me = (token: string) => viaSelf("/auth/me", { headers: bearer(token) });
  const introspect = async (token: string) => {
    const response = await viaSelf("/auth/introspect", jsonRequest({ token }, bearer(introspector)));
    expect(response.status).toBe(200);
    return response.json();
  };

  async function expectRejected(token: string): Promise<void> {
    await expectProblem(await me(token), 401, "INVALID_TOKEN");
    expect(await introspect(token)).toEqual({ active: false });
  }

  it("a valid access token works (control)", async () => {
    expect((await me(tokens.accessToken)).status).toBe(200);
    expect(await introspect(tokens.accessToken)).toMatchObject({ active: true, token_type: "access_token" });
  });

  it("alg none", async () => {
    const header = b64url(JSON.stringify({ alg: "none", typ: "at+jwt", kid }));
    const body = b64url(JSON.stringify(claims));
    await expectRejected(`${header}.${body}.`);
    await expectRejected(`${header}.${body}`);
  });

  it("HS256 signed with the public key as the HMAC secret (algorithm confusion)", async () => {
    const { keys } = (await (await viaSelf("/.well-known/jwks.json")).json()) as {
      keys: Array<{ kid: string }>;
    };
    const current = keys.find((key) => key.kid === kid)!;
    for (const secret of [JSON.stringify(current), env.JWT_PRIVATE_KEY]) {
      const forged = await new SignJWT(claims)
        .setProtectedHeader({ alg: "HS256", typ: "at+jwt", kid })
        .sign(new TextEncoder().encode(secret));
      await expectRejected(forged);
    }
  });

  it("wrong audience, wrong issuer, missing exp", async () => {
    await expectRejected(await signWith(env.JWT_PRIVATE_KEY, { ...claims, aud: "someone-else" }));
    await expectRejected(await signWith(env.JWT_PRIVATE_KEY, { ...claims, iss: "https://evil.example" }));
    const { exp: _exp, ...noExp } = claims;
    await expectRejected(await signWith(env.JWT_PRIVATE_KEY, noExp));
  });

  it("tampered payload or signature", async () => {
    const [header, , signature] = tokens.accessToken.split(".");
    const elevated = b64url(JSON.stringify({ ...claims, roles: ["root"] }));
    await expectRejected(`${header}.${elevated}.${signature}`);
    const flipped = signature!.slice(0, -2) + (signature!.endsWith("AA") ? "BB" : "AA");
    await expectRejected(`${header}.${tokens.accessToken.split(".")[1]}.${flipped}`);
    await expectRejected("not.a.jwt");
    await expectRejected("garbage");
  });

  it("a key the service does not know, even with a known kid", async () => {
    const { privateKey } = (await crypto.subtle.generateKey(
      {
        name: "RSASSA-PKCS1-v1_5",
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: "SHA-256",
      },
      true,
      ["sign", "verify"],
    )) as CryptoKeyPair;
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", typ: "at+jwt", kid })
      .sign(privateKey);
    await expectRejected(forged);
  });

  it("a refresh token used as an access token, and an access token used as a refresh token", async () => {
    await expectProblem(await me(tokens.refreshToken), 401, "INVALID_TOKEN");
    // Introspection reports it for what it is.
    expect(await introspect(tokens.refreshToken)).toMatchObject({
      active: true,
      token_type: "refresh_token",
    });
    // Same claims and key as a valid access token, but typ says refresh.
    await expectRejected(await signWith(env.JWT_PRIVATE_KEY, claims, { typ: "rt+jwt" }));
    // Untyped tokens are neither.
    await expectRejected(await signWith(env.JWT_PRIVATE_KEY, claims, { typ: "JWT" }));

    await expectProblem(
      await viaSelf("/auth/refresh", jsonRequest({ refreshToken: tokens.accessToken })),
      401,
      "INVALID_TOKEN",
    );
    await expectProblem(
      await viaSelf("/auth/logout", jsonRequest({ refreshToken: tokens.accessToken, all: true })),
      401,
      "INVALID_TOKEN",
    );
  });

  it("an expired access token (clock moved past its exp)", async () => {
    const harness = createHarness();
    const { tokens: fresh } = await register(harness.send);
    expect((await harness.send("/auth/me", { headers: bearer(fresh.accessToken) })).status).toBe(200);
    harness.clock.advance(899_000);
    expect((await harness.send("/auth/me", { headers: bearer(fresh.accessToken) })).status).toBe(200);
    harness.clock.advance(2_000);
    await expectProblem(
      await harness.send("/auth/me", { headers: bearer(fresh.accessToken) }),
      401,
      "INVALID_TOKEN",
    );
    const introspected = await harness.send(
      "/auth/introspect",
      jsonRequest({ token: fresh.accessToken }, bearer(await harnessAccess(harness))),
    );
    expect(await introspected.json()).toEqual({ active: false });
  });

  it("a token signed with the previous key (still in the JWKS) is accepted: keys can rotate", async () => {
    const rotated = await signWith(env.TEST_PREVIOUS_PRIVATE_KEY, claims);
    expect(decodeJwt(rotated).header.kid).not.toBe(kid);
    expect((await me(rotated)).status).toBe(200);
  });

  it("no or malformed Authorization is 401 with WWW-Authenticate", async () => {
    const variants: Array<Record<string, string>> = [
      {},
      { authorization: "Basic dXNlcjpwYXNz" },
      { authorization: "Bearer" },
      { authorization: tokens.accessToken },
    ];
    for (const headers of variants) {
      const response = await viaSelf("/auth/me", { headers });
      await expectProblem(response, 401, "UNAUTHENTICATED");
      expect(response.headers.get("www-authenticate")).toContain("Bearer");
    }
  });
});

/** A fresh access token valid at the harness clock's current time. */
/** An introspection caller's token: introspection is for admins (and their API tokens). */
async function harnessAccess(harness: ReturnType<typeof createHarness>): Promise<string> {
  return (await loginAsAdmin(harness.send)).accessToken;
}
