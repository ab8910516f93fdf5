import { describe, expect, it } from "vitest";
import type { ChangePasswordResponse } from "../../../src/features/accounts/password-change/routes/change";
import { renderEmail } from "../../../src/features/email/render";
import {
  allAuditRows,
  bearer,
  createHarness,
  expectInvalidFields,
  expectProblem,
  type Harness,
  jsonRequest,
  login,
  refresh,
  register,
} from "../../helpers/accounts";

const NEW_PASSWORD = "an entirely new passphrase";

const change = (harness: Harness, accessToken: string, body: unknown, headers: Record<string, string> = {}) =>
  harness.send("/auth/password", jsonRequest(body, { ...bearer(accessToken), ...headers }));

const me = (harness: Harness, accessToken: string) =>
  harness.send("/auth/me", { headers: bearer(accessToken) });

describe("POST /auth/password", () => {
  it("changes the password, ends every session (the caller's too) and answers with a new one", async () => {
    const harness = createHarness();
    const { account, tokens, userId } = await register(harness.send);
    const other = await login(harness.send, account.username, account.password);
    harness.emails.length = 0;

    const response = await change(harness, tokens.accessToken, {
      currentPassword: account.password,
      newPassword: NEW_PASSWORD,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const fresh = (await response.json()) as ChangePasswordResponse;
    expect(fresh).toMatchObject({ tokenType: "Bearer", expiresIn: 900 });

    for (const old of [tokens, other]) {
      await expectProblem(await me(harness, old.accessToken), 401, "INVALID_TOKEN");
      await expectProblem(await refresh(harness.send, old.refreshToken), 401, "INVALID_TOKEN");
    }
    expect((await me(harness, fresh.accessToken)).status).toBe(200);
    expect((await refresh(harness.send, fresh.refreshToken)).status).toBe(200);
    await expectProblem(
      await harness.send(
        "/auth/login",
        jsonRequest({ identifier: account.username, password: account.password }),
      ),
      401,
      "INVALID_CREDENTIALS",
    );
    await login(harness.send, account.username, NEW_PASSWORD);

    const rows = (await allAuditRows()).filter(
      (row) => row.event === "auth.password_change" && row.actor_id === userId,
    );
    expect(rows.map((row) => row.result)).toEqual(["success"]);
    expect(JSON.parse(rows[0]!.metadata as string)).toEqual({ revokedSessions: 2 });
    const everything = JSON.stringify(await allAuditRows());
    for (const secret of [account.password, NEW_PASSWORD]) expect(everything).not.toContain(secret);
  });

  it("sends a 'your password was changed' notice to the account's address", async () => {
    const harness = createHarness();
    const { account, tokens } = await register(harness.send);
    harness.emails.length = 0;
    const at = harness.clock.now().toISOString();
    await change(harness, tokens.accessToken, {
      currentPassword: account.password,
      newPassword: NEW_PASSWORD,
    });
    expect(harness.emails).toHaveLength(1);
    const [notice] = harness.emails;
    expect(notice).toMatchObject({ template: "password-changed", to: account.email });
    // The address is not verified: no user-chosen text goes into the mail.
    expect(notice!.data).toEqual({ changedAt: at, method: "change" });
    const { text } = renderEmail(notice!, { appName: "Edge Auth", baseUrl: "https://app.example.test" });
    expect(text).toContain("A senha da sua conta no Edge Auth foi alterada em");
    expect(text).not.toContain(NEW_PASSWORD);
  });

  it("a password reset sends the notice too", async () => {
    const harness = createHarness();
    const { account } = await register(harness.send);
    await harness.send("/reset-password/request", jsonRequest({ email: account.email }));
    const token = harness.emails.find((email) => email.template === "password-reset")!.data.token;
    harness.emails.length = 0;
    const confirmed = await harness.send(
      "/reset-password/confirm",
      jsonRequest({ token, password: NEW_PASSWORD }),
    );
    expect(confirmed.status).toBe(204);
    expect(harness.emails.map((email) => [email.template, email.to, email.data.method])).toEqual([
      ["password-changed", account.email, "reset"],
    ]);
  });

  it("a wrong current password is 400 on body.currentPassword and changes nothing", async () => {
    const harness = createHarness();
    const { account, tokens, userId } = await register(harness.send);
    harness.emails.length = 0;
    const response = await change(harness, tokens.accessToken, {
      currentPassword: "not my password at all",
      newPassword: NEW_PASSWORD,
    });
    expect(await expectInvalidFields(response)).toEqual(["body.currentPassword"]);
    expect((await me(harness, tokens.accessToken)).status).toBe(200);
    await login(harness.send, account.username, account.password);
    expect(harness.emails).toEqual([]);
    const rows = (await allAuditRows()).filter(
      (row) => row.event === "auth.password_change" && row.actor_id === userId,
    );
    expect(rows.map((row) => [row.result, row.reason])).toEqual([["failure", "bad_password"]]);
  });

  it("validation: the new password follows the policy and differs from the current one", async () => {
    const harness = createHarness();
    const { account, tokens } = await register(harness.send);
    const cases: Array<[unknown, string[]]> = [
      [{}, ["body.currentPassword", "body.newPassword"]],
      [{ currentPassword: account.password, newPassword: "short" }, ["body.newPassword"]],
      [{ currentPassword: account.password, newPassword: "password123" }, ["body.newPassword"]],
      [{ currentPassword: account.password, newPassword: account.username }, ["body.newPassword"]],
      [{ currentPassword: account.password, newPassword: account.password }, ["body.newPassword"]],
      [{ currentPassword: 42, newPassword: NEW_PASSWORD }, ["body.currentPassword"]],
    ];
    for (const [body, fields] of cases) {
      expect((await expectInvalidFields(await change(harness, tokens.accessToken, body))).sort()).toEqual(
        fields,
      );
    }
    expect((await me(harness, tokens.accessToken)).status).toBe(200);
  });

  it("needs a valid access token: none, a refresh token or a cut-off one is 401", async () => {
    const harness = createHarness();
    const { account, tokens } = await register(harness.send);
    const body = { currentPassword: account.password, newPassword: NEW_PASSWORD };
    await expectProblem(await harness.send("/auth/password", jsonRequest(body)), 401, "UNAUTHENTICATED");
    await expectProblem(await change(harness, tokens.refreshToken, body), 401, "INVALID_TOKEN");
    await harness.send("/auth/logout", jsonRequest({ refreshToken: tokens.refreshToken, all: true }));
    await expectProblem(await change(harness, tokens.accessToken, body), 401, "INVALID_TOKEN");
  });

  it("attempts are limited per user, whatever the IP (a stolen access token is no guessing oracle)", async () => {
    const harness = createHarness({
      RATE_LIMIT_PASSWORD_CHANGE_USER: "2/3600s",
      METRICS_FLUSH_DELAY_MS: "0",
    });
    const { account, tokens } = await register(harness.send);
    for (const ip of ["203.0.113.10", "203.0.113.11"]) {
      const response = await change(
        harness,
        tokens.accessToken,
        { currentPassword: "guess number one", newPassword: NEW_PASSWORD },
        { "cf-connecting-ip": ip },
      );
      expect(response.status).toBe(400);
    }
    const refused = await change(
      harness,
      tokens.accessToken,
      { currentPassword: account.password, newPassword: NEW_PASSWORD },
      { "cf-connecting-ip": "203.0.113.12" },
    );
    await expectProblem(refused, 429, "RATE_LIMITED");
    expect(refused.headers.get("ratelimit-policy")).toBe('"password_change_user";q=2;w=3600');
  });
});
