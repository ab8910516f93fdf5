import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  allAuditRows,
  asClient,
  auditRows,
  bearer,
  createHarness,
  decodeJwt,
  expectInvalidFields,
  expectProblem,
  jsonRequest,
  login,
  refresh,
  register,
  viaSelf,
} from "../../helpers/accounts";

// A client IP of this file's own: test files share one D1, and audit rows are read per client.
const self = asClient(viaSelf);

const logout = (send: typeof self.send, refreshToken: string, all?: boolean) =>
  send("/auth/logout", jsonRequest(all === undefined ? { refreshToken } : { refreshToken, all }));

describe("POST /auth/logout", () => {
  it("ends the session of the given refresh token (its whole family) and nothing else", async () => {
    const { tokens, account, userId } = await register(self.send);
    const other = await login(self.send, account.username, account.password);
    const rotated = (await (await refresh(self.send, tokens.refreshToken)).json()) as {
      refreshToken: string;
    };

    const response = await logout(self.send, rotated.refreshToken);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    await expectProblem(await refresh(self.send, rotated.refreshToken), 401, "INVALID_TOKEN");
    await expectProblem(await refresh(self.send, tokens.refreshToken), 401, "INVALID_TOKEN");
    expect((await refresh(self.send, other.refreshToken)).status).toBe(200);

    // Logging out of an ended session is not an error.
    expect((await logout(self.send, rotated.refreshToken)).status).toBe(204);
    const rows = (await auditRows(self.ip)).filter(
      (row) => row.event === "auth.logout" && row.actor_id === userId,
    );
    expect(rows.map((row) => [row.result, row.reason])).toEqual([
      ["success", "this_session"],
      ["success", "this_session"],
    ]);
    expect(JSON.parse(rows[0]!.metadata as string)).toEqual({ revoked: 2 });
  });

  it("all: true ends every session and refuses access tokens issued until now", async () => {
    const harness = createHarness();
    const { tokens, account } = await register(harness.send);
    const other = await login(harness.send, account.username, account.password);
    const outsider = await register(harness.send);
    harness.clock.advance(1000);

    expect((await logout(harness.send, tokens.refreshToken, true)).status).toBe(204);
    for (const token of [tokens.refreshToken, other.refreshToken]) {
      await expectProblem(await refresh(harness.send, token), 401, "INVALID_TOKEN");
    }
    for (const token of [tokens.accessToken, other.accessToken]) {
      await expectProblem(await harness.send("/auth/me", { headers: bearer(token) }), 401, "INVALID_TOKEN");
    }
    expect((await harness.send("/auth/me", { headers: bearer(outsider.tokens.accessToken) })).status).toBe(
      200,
    );

    harness.clock.advance(1000);
    const again = await login(harness.send, account.username, account.password);
    expect((await harness.send("/auth/me", { headers: bearer(again.accessToken) })).status).toBe(200);
  });

  it("all: true refuses a rotated refresh token and treats it as a reuse after the grace window", async () => {
    const harness = createHarness();
    const { tokens, account, userId } = await register(harness.send);
    const other = await login(harness.send, account.username, account.password);
    const rotated = (await (await refresh(harness.send, tokens.refreshToken)).json()) as {
      refreshToken: string;
    };
    harness.clock.advance(60_000);

    await expectProblem(await logout(harness.send, tokens.refreshToken, true), 401, "INVALID_TOKEN");
    // The other session lives on; the leaked token's own family is revoked, as a reuse at refresh.
    expect((await refresh(harness.send, other.refreshToken)).status).toBe(200);
    await expectProblem(await refresh(harness.send, rotated.refreshToken), 401, "INVALID_TOKEN");
    const rows = (await allAuditRows()).filter((row) => row.actor_id === userId);
    expect(rows.map((row) => [row.event, row.result, row.reason]).slice(-4)).toEqual([
      ["auth.refresh.reuse_detected", "failure", "reuse_detected"],
      ["auth.logout", "failure", "revoked"],
      ["auth.refresh", "success", null],
      ["auth.refresh", "failure", "revoked"],
    ]);
  });

  it("all: true refuses a token revoked by a password reset, every time, and leaves the new sessions alone", async () => {
    const harness = createHarness();
    const { tokens, account } = await register(harness.send);
    harness.clock.advance(1000);
    await harness.send("/reset-password/request", jsonRequest({ email: account.email }));
    const resetToken = harness.emails.find((email) => email.template === "password-reset")!.data.token;
    const newPassword = "the owner's brand new passphrase";
    const confirmed = await harness.send(
      "/reset-password/confirm",
      jsonRequest({ token: resetToken, password: newPassword }),
    );
    expect(confirmed.status).toBe(204);
    harness.clock.advance(1000);
    const owner = await login(harness.send, account.username, newPassword);

    for (let attempt = 0; attempt < 3; attempt++) {
      await expectProblem(await logout(harness.send, tokens.refreshToken, true), 401, "INVALID_TOKEN");
      harness.clock.advance(60_000);
    }
    expect((await harness.send("/auth/me", { headers: bearer(owner.accessToken) })).status).toBe(200);
    expect((await refresh(harness.send, owner.refreshToken)).status).toBe(200);
  });

  it("all: true refuses a token whose row is gone (cleaned up) and an expired one", async () => {
    const harness = createHarness();
    const { tokens, account, userId } = await register(harness.send);
    const owner = await login(harness.send, account.username, account.password);
    const { payload } = decodeJwt(tokens.refreshToken);
    await env.DB.prepare("DELETE FROM refresh_tokens WHERE id = ?").bind(payload.jti).run();
    await expectProblem(await logout(harness.send, tokens.refreshToken, true), 401, "INVALID_TOKEN");
    await env.DB.prepare("UPDATE refresh_tokens SET expires_at = 0 WHERE family_id = ?")
      .bind(decodeJwt(owner.refreshToken).payload.jti)
      .run();
    await expectProblem(await logout(harness.send, owner.refreshToken, true), 401, "INVALID_TOKEN");
    const reasons = (await allAuditRows())
      .filter((row) => row.event === "auth.logout" && row.actor_id === userId)
      .map((row) => row.reason);
    expect(reasons).toEqual(["unknown_token", "expired"]);
  });

  it("refuses what is not a refresh token issued by this service", async () => {
    const { tokens } = await register(self.send);
    await expectProblem(await logout(self.send, tokens.accessToken), 401, "INVALID_TOKEN");
    await expectProblem(await logout(self.send, "garbage", true), 401, "INVALID_TOKEN");
    expect((await refresh(self.send, tokens.refreshToken)).status).toBe(200);
  });

  it("validation: refreshToken required, all must be a boolean", async () => {
    expect(await expectInvalidFields(await self.send("/auth/logout", jsonRequest({})))).toEqual([
      "body.refreshToken",
    ]);
    const fields = await expectInvalidFields(
      await self.send("/auth/logout", jsonRequest({ refreshToken: "x", all: "yes" })),
    );
    expect(fields).toEqual(["body.all"]);
  });
});
