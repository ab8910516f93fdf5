import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createD1Database } from "../../../src/db/d1";
import { UserRepository } from "../../../src/features/users/repository";
import {
  bearer,
  createHarness,
  jsonRequest,
  loginAsAdmin,
  newAccount,
  refresh,
  register,
  type TokenPairBody,
  viaSelf,
} from "../../helpers/accounts";
import { parseExposition, type Sample, total } from "../../helpers/prometheus";

const scrape = async () => {
  const response = await SELF.fetch("https://auth.test/metrics");
  expect(response.status).toBe(200);
  return parseExposition(await response.text());
};

const REASONS = ["invalid_credentials", "invalid_token", "expired_token", "revoked_token"] as const;

/** How far each auth-failure reason and the reuse counter moved between two scrapes. */
function moved(before: Sample[], after: Sample[]) {
  const diff = (name: string, labels: Record<string, string> = {}) =>
    total(after, name, labels) - total(before, name, labels);
  return {
    ...Object.fromEntries(REASONS.map((reason) => [reason, diff("tokens_auth_failures_total", { reason })])),
    all: diff("tokens_auth_failures_total"),
    reuse: diff("tokens_refresh_token_reuse_total"),
  };
}

const noChange = {
  invalid_credentials: 0,
  invalid_token: 0,
  expired_token: 0,
  revoked_token: 0,
  all: 0,
  reuse: 0,
};

describe("accounts metrics", () => {
  it("counts each refused login once as invalid_credentials (unknown, wrong password, disabled)", async () => {
    const { account } = await register(viaSelf, newAccount());
    const disabled = await register(viaSelf, newAccount());
    await new UserRepository(createD1Database(env.DB)).setStatus(disabled.userId, "disabled", new Date());
    const login = (identifier: string, password: string) =>
      viaSelf("/auth/login", jsonRequest({ identifier, password }));

    const before = await scrape();
    expect((await login(account.username, account.password)).status).toBe(200);
    expect((await login(newAccount().email, account.password)).status).toBe(401);
    expect((await login(account.email, "wrong password here")).status).toBe(401);
    expect((await login(disabled.account.username, disabled.account.password)).status).toBe(401);
    expect((await login("", "")).status).toBe(400);
    expect(moved(before, await scrape())).toEqual({ ...noChange, invalid_credentials: 3, all: 3 });
  });

  it("counts refused tokens by reason, and a reuse once (with its revoked_token)", async () => {
    const harness = createHarness({ REFRESH_REUSE_GRACE_SECONDS: "0", METRICS_FLUSH_DELAY_MS: "0" });
    const { tokens } = await register(harness.send, newAccount());
    const before = await scrape();

    const rotated = await refresh(harness.send, tokens.refreshToken);
    expect(rotated.status).toBe(200);
    const child = (await rotated.json()) as TokenPairBody;
    expect((await refresh(harness.send, tokens.refreshToken)).status).toBe(401); // reuse: family revoked
    expect((await refresh(harness.send, child.refreshToken)).status).toBe(401); // revoked with it
    const afterReuse = await scrape();
    expect(moved(before, afterReuse)).toEqual({ ...noChange, revoked_token: 2, all: 2, reuse: 1 });

    const me = (headers: Record<string, string>) => harness.send("/auth/me", { headers });
    expect((await refresh(harness.send, "not.a.jwt")).status).toBe(401);
    expect((await harness.send("/auth/logout", jsonRequest({ refreshToken: "x.y.z" }))).status).toBe(401);
    expect((await me(bearer(child.refreshToken))).status).toBe(401); // a refresh token is no access token
    expect((await me({})).status).toBe(401); // no credential at all: nothing to count
    // An inactive token under introspection is an answer, not a failure of the caller.
    const introspected = await harness.send(
      "/auth/introspect",
      jsonRequest({ token: tokens.refreshToken }, bearer((await loginAsAdmin(harness.send)).accessToken)),
    );
    expect(await introspected.json()).toEqual({ active: false });
    harness.clock.advance(901_000);
    expect((await me(bearer(child.accessToken))).status).toBe(401);
    expect(moved(afterReuse, await scrape())).toEqual({
      ...noChange,
      invalid_token: 3,
      expired_token: 1,
      all: 4,
    });
  });

  it("counts access tokens cut off by logout of all sessions as revoked_token", async () => {
    const harness = createHarness({ METRICS_FLUSH_DELAY_MS: "0" });
    const { tokens } = await register(harness.send, newAccount());
    harness.clock.advance(1000);
    const logout = await harness.send(
      "/auth/logout",
      jsonRequest({ refreshToken: tokens.refreshToken, all: true }),
    );
    expect(logout.status).toBe(204);
    const before = await scrape();
    expect((await harness.send("/auth/me", { headers: bearer(tokens.accessToken) })).status).toBe(401);
    expect((await refresh(harness.send, tokens.refreshToken)).status).toBe(401);
    expect(moved(before, await scrape())).toEqual({ ...noChange, revoked_token: 2, all: 2 });
  });
});
