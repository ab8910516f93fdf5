import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { renderEmail } from "../../../src/features/email/render";
import {
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

async function requestReset(harness: Harness, email: string): Promise<string | undefined> {
  const before = harness.emails.length;
  const response = await harness.send("/reset-password/request", jsonRequest({ email }));
  expect(response.status).toBe(202);
  const sent = harness.emails.slice(before).filter((message) => message.template === "password-reset");
  return sent.at(-1)?.data.token;
}

const confirm = (harness: Harness, token: string, password: string) =>
  harness.send("/reset-password/confirm", jsonRequest({ token, password }));

describe("password reset", () => {
  it("request answers the same 202 whether or not the account exists, and e-mails only a real one", async () => {
    const harness = createHarness();
    const { account, userId } = await register(harness.send);
    harness.emails.length = 0;

    const known = await harness.send(
      "/reset-password/request",
      jsonRequest({ email: account.email.toUpperCase() }),
    );
    const unknown = await harness.send(
      "/reset-password/request",
      jsonRequest({ email: "nobody@example.com" }),
    );
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(await known.json()).toEqual(await unknown.json());

    expect(harness.emails).toHaveLength(1);
    const [email] = harness.emails;
    expect(email).toMatchObject({ template: "password-reset", to: account.email });
    expect(email!.data.token).toMatch(/^rst_[A-Za-z0-9_-]{43}$/);
    const { text } = renderEmail(email!, { appName: "Edge Auth", baseUrl: "http://localhost:8787" });
    expect(text).toContain(`http://localhost:8787/reset-password#token=${email!.data.token}`);
    expect(text).not.toContain("?token=");
    expect(email!.data.expiresInMinutes).toBe("60");

    const stored = await env.DB.prepare("SELECT * FROM password_resets WHERE user_id = ?").bind(userId).all();
    expect(stored.results).toHaveLength(1);
    expect(JSON.stringify(stored.results)).not.toContain(email!.data.token!);

    const requests = (await harness.auditRows()).filter((row) => row.event === "password_reset.request");
    expect(requests.map((row) => [row.result, row.reason])).toEqual([
      ["success", null],
      ["failure", "unknown_email"],
    ]);
  });

  it("confirm sets the new password once and ends every session", async () => {
    const harness = createHarness();
    const { account, tokens, userId } = await register(harness.send);
    const second = await login(harness.send, account.username, account.password);
    harness.clock.advance(1000);
    const token = (await requestReset(harness, account.email))!;
    const newPassword = "a completely new passphrase";

    expect((await confirm(harness, token, newPassword)).status).toBe(204);

    await expectProblem(
      await harness.send(
        "/auth/login",
        jsonRequest({ identifier: account.username, password: account.password }),
      ),
      401,
      "INVALID_CREDENTIALS",
    );
    const fresh = await login(harness.send, account.username, newPassword);
    for (const old of [tokens.refreshToken, second.refreshToken]) {
      await expectProblem(await refresh(harness.send, old), 401, "INVALID_TOKEN");
    }
    await expectProblem(
      await harness.send("/auth/me", { headers: bearer(tokens.accessToken) }),
      401,
      "INVALID_TOKEN",
    );
    harness.clock.advance(1000);
    expect((await refresh(harness.send, fresh.refreshToken)).status).toBe(200);

    const reasons = await env.DB.prepare(
      "SELECT DISTINCT revoked_reason FROM refresh_tokens WHERE user_id = ? AND revoked_at IS NOT NULL",
    )
      .bind(userId)
      .all();
    expect(reasons.results).toEqual([{ revoked_reason: "password_reset" }]);

    await expectProblem(await confirm(harness, token, "yet another passphrase"), 409, "CONFLICT");
    const confirmations = (await harness.auditRows()).filter((row) => row.event === "password_reset.confirm");
    expect(confirmations.map((row) => [row.result, row.reason])).toEqual([
      ["success", null],
      ["failure", "used"],
    ]);
    expect(JSON.parse(confirmations[0]!.metadata as string)).toEqual({ revokedSessions: 2 });
    const everything = JSON.stringify(await harness.auditRows());
    for (const secret of [token, newPassword, account.password, "eyJ"])
      expect(everything).not.toContain(secret);
  });

  it("a newer request leaves the older link usable; setting a password with one ends the others", async () => {
    const harness = createHarness();
    const { account } = await register(harness.send);
    const first = (await requestReset(harness, account.email))!;
    harness.clock.advance(1000);
    const second = (await requestReset(harness, account.email))!;
    expect((await confirm(harness, first, "brand new passphrase")).status).toBe(204);
    await expectProblem(await confirm(harness, second, "another new passphrase"), 409, "CONFLICT");
  });

  it("an expired token is 410; an unknown one 400; neither changes anything", async () => {
    const harness = createHarness();
    const { account } = await register(harness.send);
    const token = (await requestReset(harness, account.email))!;
    harness.clock.advance(3_600_000);
    await expectProblem(await confirm(harness, token, "brand new passphrase"), 410, "GONE");
    const unknown = await confirm(harness, `rst_${"A".repeat(43)}`, "brand new passphrase");
    expect(await expectInvalidFields(unknown)).toEqual(["body.token"]);
    await login(harness.send, account.username, account.password);
  });

  it("a refused new password leaves the token usable", async () => {
    const harness = createHarness();
    const { account } = await register(harness.send);
    const token = (await requestReset(harness, account.email))!;
    expect(await expectInvalidFields(await confirm(harness, token, "short"))).toEqual(["body.password"]);
    expect(await expectInvalidFields(await confirm(harness, token, "password123"))).toEqual([
      "body.password",
    ]);
    expect(await expectInvalidFields(await confirm(harness, token, account.username))).toEqual([
      "body.password",
    ]);
    expect((await confirm(harness, token, "finally a good passphrase")).status).toBe(204);
  });

  it("concurrent confirmations with one token: exactly one wins", async () => {
    const harness = createHarness();
    const { account } = await register(harness.send);
    const token = (await requestReset(harness, account.email))!;
    const attempts = await Promise.all(
      ["first passphrase one", "second passphrase two", "third passphrase three"].map((password) =>
        confirm(harness, token, password),
      ),
    );
    const statuses = attempts.map((response) => response.status).sort();
    expect(statuses).toEqual([204, 409, 409]);
  });

  it("disabled accounts get no e-mail; validation errors are 400", async () => {
    const harness = createHarness();
    const { account, userId } = await register(harness.send);
    await env.DB.prepare("UPDATE users SET status = 'disabled' WHERE id = ?").bind(userId).run();
    expect(await requestReset(harness, account.email)).toBeUndefined();

    for (const body of [{}, { email: "not-an-email" }, { email: 42 }]) {
      const response = await harness.send("/reset-password/request", jsonRequest(body));
      expect(await expectInvalidFields(response)).toEqual(["body.email"]);
    }
    const fields = await expectInvalidFields(await harness.send("/reset-password/confirm", jsonRequest({})));
    expect(fields.sort()).toEqual(["body.password", "body.token"]);
  });
});
