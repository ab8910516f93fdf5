import { env } from "cloudflare:test";
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import {
  bearer,
  createHarness,
  decodeJwt,
  expectProblem,
  type Harness,
  jsonRequest,
  login,
  refresh,
  register,
  viaSelf,
} from "../../helpers/accounts";

const me = (harness: Harness, accessToken: string) =>
  harness.send("/auth/me", { headers: bearer(accessToken) });

/** A harness whose clock stands `ms` into a whole second, so "the same second" is certain. */
function harnessInsideASecond(ms: number): Harness {
  const harness = createHarness();
  harness.clock.set(Math.ceil(Date.now() / 1000) * 1000 + ms);
  return harness;
}

describe("the cut-off of tokens (logout everywhere, password reset) is exact", () => {
  it("an access token issued earlier in the same second as a logout-all is refused; one issued after it works", async () => {
    const harness = harnessInsideASecond(100);
    const { tokens, account } = await register(harness.send);
    const other = await login(harness.send, account.username, account.password);
    harness.clock.advance(400);
    const logout = await harness.send(
      "/auth/logout",
      jsonRequest({ refreshToken: other.refreshToken, all: true }),
    );
    expect(logout.status).toBe(204);
    expect(decodeJwt(tokens.accessToken).payload.iat).toBe(Math.floor(harness.clock.now().getTime() / 1000));

    await expectProblem(await me(harness, tokens.accessToken), 401, "INVALID_TOKEN");
    await expectProblem(await me(harness, other.accessToken), 401, "INVALID_TOKEN");
    harness.clock.advance(100);
    const after = await login(harness.send, account.username, account.password);
    expect(decodeJwt(after.accessToken).payload.iat).toBe(decodeJwt(tokens.accessToken).payload.iat);
    expect((await me(harness, after.accessToken)).status).toBe(200);
  });

  it("an access token issued in the same second as a password reset is refused", async () => {
    const harness = harnessInsideASecond(50);
    const { tokens, account } = await register(harness.send);
    await harness.send("/reset-password/request", jsonRequest({ email: account.email }));
    const token = harness.emails.find((email) => email.template === "password-reset")!.data.token;
    harness.clock.advance(300);
    const confirmed = await harness.send(
      "/reset-password/confirm",
      jsonRequest({ token, password: "a passphrase only the owner knows" }),
    );
    expect(confirmed.status).toBe(204);
    await expectProblem(await me(harness, tokens.accessToken), 401, "INVALID_TOKEN");
  });
});

describe("token claims", () => {
  it("refresh tokens are addressed to the service itself and carry only what rotation reads", async () => {
    const { tokens } = await register(viaSelf);
    const { payload } = decodeJwt(tokens.refreshToken);
    expect(Object.keys(payload).sort()).toEqual([
      "aud",
      "auth_time",
      "exp",
      "iat",
      "iss",
      "jti",
      "sub",
      "token_epoch",
    ]);
    expect(payload.aud).toBe(env.JWT_ISSUER);

    // An app that checks iss and aud but forgets typ still never takes it for an access token.
    const jwks = createLocalJWKSet((await (await viaSelf("/.well-known/jwks.json")).json()) as JSONWebKeySet);
    const asAnApp = { issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE, algorithms: ["RS256"] };
    await expect(jwtVerify(tokens.refreshToken, jwks, asAnApp)).rejects.toThrow(/aud/);
    await expect(jwtVerify(tokens.accessToken, jwks, asAnApp)).resolves.toBeDefined();
    // And the service refuses an access token where a refresh token belongs, and the reverse.
    await expectProblem(await refresh(viaSelf, tokens.accessToken), 401, "INVALID_TOKEN");
    await expectProblem(await viaSelf("/auth/me", { headers: bearer(tokens.refreshToken) }), 401);
  });

  it("access tokens say whether the e-mail is verified (email_verified), and the profile too", async () => {
    const harness = createHarness();
    const { tokens } = await register(harness.send);
    expect(decodeJwt(tokens.accessToken).payload).toMatchObject({ email_verified: false });
    expect(await (await me(harness, tokens.accessToken)).json()).toMatchObject({ emailVerified: false });

    const token = harness.emails.find((email) => email.template === "verify-email")!.data.token;
    expect((await harness.send("/verification-token/verify", jsonRequest({ token }))).status).toBe(200);
    const next = (await (await refresh(harness.send, tokens.refreshToken)).json()) as { accessToken: string };
    expect(decodeJwt(next.accessToken).payload).toMatchObject({ email_verified: true });
    expect(await (await me(harness, next.accessToken)).json()).toMatchObject({ emailVerified: true });
  });
});
