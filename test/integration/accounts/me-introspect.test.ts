import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import {
  bearer,
  createHarness,
  decodeJwt,
  expectInvalidFields,
  expectProblem,
  jsonRequest,
  loginAsAdmin,
  type newAccount,
  refresh,
  register,
  type TokenPairBody,
  viaSelf,
} from "../../helpers/accounts";

describe("GET /auth/me", () => {
  it("returns the signed-in user's profile, with institutions", async () => {
    const response = await viaSelf("/auth/login", jsonRequest({ identifier: "admin", password: "admin" }));
    const { accessToken } = (await response.json()) as TokenPairBody;
    const me = await viaSelf("/auth/me", { headers: bearer(accessToken) });
    expect(me.status).toBe(200);
    expect(me.headers.get("cache-control")).toBe("no-store");
    const profile = (await me.json()) as Record<string, unknown>;
    expect(profile).toMatchObject({
      id: decodeJwt(accessToken).payload.sub,
      username: "admin",
      email: "admin@example.com",
      name: "Administrator",
      role: "root",
      roles: ["root"],
      institutions: ["default"],
      emailVerified: true,
    });
    expect(Object.keys(profile)).not.toContain("passwordHash");
  });

  it("refuses the access token of a user who was disabled since", async () => {
    const { tokens, userId } = await register(viaSelf);
    await env.DB.prepare("UPDATE users SET status = 'disabled' WHERE id = ?").bind(userId).run();
    await expectProblem(
      await viaSelf("/auth/me", { headers: bearer(tokens.accessToken) }),
      401,
      "INVALID_TOKEN",
    );
  });
});

describe("POST /auth/introspect (RFC 7662)", () => {
  let caller: TokenPairBody;
  let subject: { tokens: TokenPairBody; userId: string; account: ReturnType<typeof newAccount> };

  beforeAll(async () => {
    caller = await loginAsAdmin(viaSelf);
    subject = await register(viaSelf);
  });

  const introspect = async (token: unknown, callerToken = caller.accessToken) => {
    const response = await viaSelf("/auth/introspect", jsonRequest({ token }, bearer(callerToken)));
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    return (await response.json()) as Record<string, unknown>;
  };

  it("an active access token: active with the standard claims only", async () => {
    const result = await introspect(subject.tokens.accessToken);
    const claims = decodeJwt(subject.tokens.accessToken).payload;
    expect(result).toEqual({
      active: true,
      token_type: "access_token",
      sub: subject.userId,
      username: subject.account.username,
      iss: claims.iss,
      aud: claims.aud,
      iat: claims.iat,
      exp: claims.exp,
    });
  });

  it("an active refresh token: active, with its jti; once rotated it is inactive", async () => {
    const fresh = await register(viaSelf);
    const result = await introspect(fresh.tokens.refreshToken);
    expect(result).toMatchObject({
      active: true,
      token_type: "refresh_token",
      sub: fresh.userId,
      jti: decodeJwt(fresh.tokens.refreshToken).payload.jti,
    });
    const next = (await (await refresh(viaSelf, fresh.tokens.refreshToken)).json()) as TokenPairBody;
    expect(await introspect(fresh.tokens.refreshToken)).toEqual({ active: false });
    expect(await introspect(next.refreshToken)).toMatchObject({ active: true });
    await viaSelf("/auth/logout", jsonRequest({ refreshToken: next.refreshToken }));
    expect(await introspect(next.refreshToken)).toEqual({ active: false });
  });

  it("expired tokens are inactive", async () => {
    const harness = createHarness();
    const { tokens } = await register(harness.send);
    harness.clock.advance(1_209_601_000);
    const callerNow = await loginAsAdmin(harness.send);
    for (const token of [tokens.accessToken, tokens.refreshToken]) {
      const response = await harness.send(
        "/auth/introspect",
        jsonRequest({ token }, bearer(callerNow.accessToken)),
      );
      expect(await response.json()).toEqual({ active: false });
    }
  });

  it("garbage and tokens of a disabled user are inactive, never an error", async () => {
    for (const token of ["garbage", "a.b.c", "eyJhbGciOiJub25lIn0.e30."]) {
      expect(await introspect(token)).toEqual({ active: false });
    }
    const disabled = await register(viaSelf);
    await env.DB.prepare("UPDATE users SET status = 'disabled' WHERE id = ?").bind(disabled.userId).run();
    expect(await introspect(disabled.tokens.accessToken)).toEqual({ active: false });
    expect(await introspect(disabled.tokens.refreshToken)).toEqual({ active: false });
  });

  it("answers standard RFC 7662 members only: nothing of the profile the access token carries", async () => {
    const result = await introspect(subject.tokens.accessToken);
    const standard = [
      "active",
      "token_type",
      "sub",
      "username",
      "iss",
      "aud",
      "iat",
      "exp",
      "jti",
      "scope",
      "client_id",
      "nbf",
    ];
    expect(Object.keys(result).every((member) => standard.includes(member))).toBe(true);
    for (const claim of ["email", "email_verified", "roles", "institutions", "user_name", "token_epoch"]) {
      expect(result).not.toHaveProperty(claim);
    }
  });

  it("is for protected resources: a signed-in user who is not an admin gets 403", async () => {
    for (const token of [subject.tokens.accessToken, caller.accessToken]) {
      const response = await viaSelf(
        "/auth/introspect",
        jsonRequest({ token }, bearer(subject.tokens.accessToken)),
      );
      await expectProblem(response, 403, "FORBIDDEN");
    }
  });

  it("requires the caller's own valid access token (the endpoint is protected)", async () => {
    const noAuth = await viaSelf("/auth/introspect", jsonRequest({ token: subject.tokens.accessToken }));
    await expectProblem(noAuth, 401, "UNAUTHENTICATED");
    const withRefresh = await viaSelf(
      "/auth/introspect",
      jsonRequest({ token: subject.tokens.accessToken }, bearer(subject.tokens.refreshToken)),
    );
    await expectProblem(withRefresh, 401, "INVALID_TOKEN");
  });

  it("validation: token is required and must be a string; the hint must be a known type", async () => {
    const send = (body: unknown) =>
      viaSelf("/auth/introspect", jsonRequest(body, bearer(caller.accessToken)));
    expect(await expectInvalidFields(await send({}))).toEqual(["body.token"]);
    expect(await expectInvalidFields(await send({ token: 1 }))).toEqual(["body.token"]);
    expect(await expectInvalidFields(await send({ token: "x", token_type_hint: "id_token" }))).toEqual([
      "body.token_type_hint",
    ]);
    expect((await send({ token: subject.tokens.accessToken, token_type_hint: "refresh_token" })).status).toBe(
      200,
    );
  });
});
