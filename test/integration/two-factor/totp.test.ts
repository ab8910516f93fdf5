import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { RecoveryCodesResponse } from "../../../src/features/two-factor/routes/recovery-codes";
import type { TwoFactorStatusResponse } from "../../../src/features/two-factor/routes/status";
import { SecretBox } from "../../../src/platform/secret-box";
import { hashSecret } from "../../../src/platform/secrets";
import {
  bearer,
  createHarness,
  expectInvalidFields,
  expectProblem,
  type Harness,
  register,
  type TokenPairBody,
} from "../../helpers/accounts";
import { authed, codeAt, loginWithCode, setupTotp, userWithTotp } from "../../helpers/two-factor";

let harness: Harness;
beforeAll(() => {
  harness = createHarness();
});

async function status(token: string): Promise<TwoFactorStatusResponse> {
  const response = await harness.send("/auth/2fa", { headers: bearer(token) });
  expect(response.status).toBe(200);
  return (await response.json()) as TwoFactorStatusResponse;
}

async function twoFactorRow(userId: string) {
  return env.DB.prepare("SELECT * FROM two_factor WHERE user_id = ?")
    .bind(userId)
    .first<Record<string, unknown>>();
}

describe("POST /auth/2fa/setup", () => {
  it("returns a fresh 160-bit secret, its otpauth URI and a QR code, kept pending and encrypted", async () => {
    const { tokens, account, userId } = await register(harness.send);
    const setup = await setupTotp(harness.send, tokens.accessToken);
    expect(setup.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(setup.otpauthUrl);
    expect(uri.protocol).toBe("otpauth:");
    expect(uri.host).toBe("totp");
    expect(decodeURIComponent(uri.pathname)).toBe(`/Edge Auth:${account.email}`);
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      issuer: "Edge Auth",
      secret: setup.secret,
      algorithm: "SHA1",
      digits: "6",
      period: "30",
    });
    expect(setup.qrSvg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]* role="img"/);
    expect(setup.qrSvg).not.toMatch(/<script|href=/i);

    const row = await twoFactorRow(userId);
    expect(row).toMatchObject({ enabled_at: null, secret_ciphertext: null, method: "totp" });
    const stored = String(row?.pending_secret_ciphertext);
    expect(stored).not.toContain(setup.secret);
    expect(JSON.stringify(row)).not.toContain(setup.secret);
    // The ciphertext opens with TOTP_ENCRYPTION_KEY, bound to the user id.
    const box = await SecretBox.fromKeys(env.TOTP_ENCRYPTION_KEY);
    const sealed = { keyId: String(row?.pending_secret_key_id), ciphertext: stored };
    expect(box.isCurrent(sealed.keyId)).toBe(true);
    expect(await box.decrypt(sealed, userId)).toBe(setup.secret);
    await expect(box.decrypt(sealed, "usr_someone_else")).rejects.toThrow();

    expect(await status(tokens.accessToken)).toEqual({
      enabled: false,
      method: null,
      enabledAt: null,
      pendingSetup: true,
      recoveryCodesLeft: 0,
    });
  });

  it("replaces the pending secret when called again: only the newest one enables", async () => {
    const { tokens } = await register(harness.send);
    const first = await setupTotp(harness.send, tokens.accessToken);
    const second = await setupTotp(harness.send, tokens.accessToken);
    expect(second.secret).not.toBe(first.secret);
    const stale = await authed(harness.send, "/auth/2fa/enable", tokens.accessToken, {
      code: codeAt(first.secret, harness.clock),
    });
    await expectProblem(stale, 400, "CODE_REJECTED");
    const fresh = await authed(harness.send, "/auth/2fa/enable", tokens.accessToken, {
      code: codeAt(second.secret, harness.clock),
    });
    expect(fresh.status).toBe(200);
  });

  it("needs a signed-in user, and refuses while two-factor is on", async () => {
    await expectProblem(await harness.send("/auth/2fa/setup", { method: "POST" }), 401, "UNAUTHENTICATED");
    const user = await userWithTotp(harness);
    const response = await authed(harness.send, "/auth/2fa/setup", user.tokens.accessToken);
    expect((await expectProblem(response, 409, "CONFLICT")).detail).toMatch(/already on/);
  });
});

describe("POST /auth/2fa/enable", () => {
  it("turns TOTP on with a code of the pending secret and shows 10 recovery codes once", async () => {
    const { tokens, userId } = await register(harness.send);
    const { secret } = await setupTotp(harness.send, tokens.accessToken);
    const response = await authed(harness.send, "/auth/2fa/enable", tokens.accessToken, {
      code: codeAt(secret, harness.clock),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = (await response.json()) as { enabled: true; method: string; recoveryCodes: string[] };
    expect(body.enabled).toBe(true);
    expect(body.method).toBe("totp");
    expect(body.recoveryCodes).toHaveLength(10);
    for (const code of body.recoveryCodes)
      expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/);
    expect(new Set(body.recoveryCodes).size).toBe(10);

    const row = await twoFactorRow(userId);
    expect(row).toMatchObject({ pending_secret_ciphertext: null, method: "totp" });
    expect(row?.enabled_at).toBe(harness.clock.now().getTime());
    expect(String(row?.secret_ciphertext)).not.toContain(secret);

    // Recovery codes are stored as keyed digests: neither the code nor its bare SHA-256 is in the table.
    const { results } = await env.DB.prepare("SELECT code_hash FROM recovery_codes WHERE user_id = ?")
      .bind(userId)
      .all<{ code_hash: string }>();
    expect(results).toHaveLength(10);
    const stored = results.map((row) => row.code_hash);
    for (const code of body.recoveryCodes) {
      expect(stored).not.toContain(code);
      expect(stored).not.toContain(await hashSecret(code.replace("-", "")));
      expect(stored).not.toContain(await hashSecret(code));
    }
    expect(await status(tokens.accessToken)).toMatchObject({
      enabled: true,
      method: "totp",
      recoveryCodesLeft: 10,
    });
    expect(
      (await harness.auditRows()).filter((row) => row.target_id === userId).map((row) => row.event),
    ).toEqual(expect.arrayContaining(["two_factor.setup", "two_factor.enable"]));
  });

  it("refuses a wrong code with 400 and changes nothing", async () => {
    const { tokens, userId } = await register(harness.send);
    const { secret } = await setupTotp(harness.send, tokens.accessToken);
    const right = codeAt(secret, harness.clock);
    const wrong = right === "000000" ? "000001" : "000000";
    const response = await authed(harness.send, "/auth/2fa/enable", tokens.accessToken, { code: wrong });
    await expectProblem(response, 400, "CODE_REJECTED");
    expect(await twoFactorRow(userId)).toMatchObject({ enabled_at: null, secret_ciphertext: null });
    expect(await status(tokens.accessToken)).toMatchObject({ enabled: false, pendingSetup: true });
    const failures = (await harness.auditRows()).filter(
      (row) => row.target_id === userId && row.result === "failure",
    );
    expect(failures.map((row) => [row.event, row.reason])).toEqual([["two_factor.enable", "wrong_code"]]);
  });

  it("validates the body: a code is required, at most 64 characters; the method is totp or email", async () => {
    const { tokens } = await register(harness.send);
    const send = (body: unknown) => authed(harness.send, "/auth/2fa/enable", tokens.accessToken, body);
    expect(await expectInvalidFields(await send({}))).toEqual(["body.code"]);
    expect(await expectInvalidFields(await send({ code: "1".repeat(10_000) }))).toEqual(["body.code"]);
    expect(await expectInvalidFields(await send({ code: "123456", method: "sms" }))).toEqual(["body.method"]);
  });

  it("answers 409 without a pending setup, and 401 without a token", async () => {
    const { tokens } = await register(harness.send);
    const response = await authed(harness.send, "/auth/2fa/enable", tokens.accessToken, { code: "123456" });
    expect((await expectProblem(response, 409, "CONFLICT")).detail).toMatch(/setup/);
    await expectProblem(await harness.send("/auth/2fa/enable", { method: "POST" }), 401);
  });
});

describe("POST /auth/login with TOTP", () => {
  const login = (user: Awaited<ReturnType<typeof userWithTotp>>, code?: string) =>
    loginWithCode(harness.send, user.account.username, user.account.password, code);

  it("asks for the second factor only after the password matched", async () => {
    const user = await userWithTotp(harness);
    const required = await expectProblem(await login(user), 401, "TWO_FACTOR_REQUIRED");
    expect(required.detail).toMatch(/twoFactorCode/);
    // A wrong password with the right code reveals nothing about the second factor.
    const wrongPassword = await loginWithCode(
      harness.send,
      user.account.username,
      "not the password at all",
      codeAt(user.secret, harness.clock),
    );
    await expectProblem(wrongPassword, 401, "INVALID_CREDENTIALS");
    const rows = (await harness.auditRows()).filter(
      (row) => row.target_id === user.userId && row.event === "auth.login",
    );
    expect(rows.map((row) => row.reason).slice(-2)).toEqual(["second_factor_required", "bad_password"]);
  });

  it("signs in with the current code, and refuses the same code again (replay)", async () => {
    const user = await userWithTotp(harness);
    const code = codeAt(user.secret, harness.clock);
    const first = await login(user, code);
    expect(first.status).toBe(200);
    expect(((await first.json()) as TokenPairBody).tokenType).toBe("Bearer");
    const replay = await expectProblem(await login(user, code), 401, "INVALID_TWO_FACTOR_CODE");
    expect(replay.detail).toMatch(/already used/);
    // Still refused later in the window, and an earlier step's code is refused too.
    harness.clock.advance(20_000);
    await expectProblem(await login(user, code), 401, "INVALID_TWO_FACTOR_CODE");
    await expectProblem(await login(user, codeAt(user.secret, harness.clock, -1)), 401);
  });

  it("accepts one step of drift either side and refuses two or three steps away", async () => {
    for (const offset of [-1, 1]) {
      const user = await userWithTotp(harness);
      // One step back from here would be the step that enabled it (used); two steps on, it is not.
      harness.clock.advance(60_000);
      expect((await login(user, codeAt(user.secret, harness.clock, offset))).status, `offset ${offset}`).toBe(
        200,
      );
    }
    const user = await userWithTotp(harness);
    const near = [-1, 0, 1].map((offset) => codeAt(user.secret, harness.clock, offset));
    for (const offset of [-3, -2, 2, 3]) {
      const code = codeAt(user.secret, harness.clock, offset);
      // A 6-digit code can repeat within a few steps (about 1e-6); then it is rightly accepted.
      if (near.includes(code)) continue;
      await expectProblem(await login(user, code), 401, "INVALID_TWO_FACTOR_CODE");
    }
  });

  it("of 20 logins racing with the same code, exactly one gets tokens", async () => {
    const user = await userWithTotp(harness);
    const code = codeAt(user.secret, harness.clock);
    const responses = await Promise.all(Array.from({ length: 20 }, () => login(user, code)));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 401)).toHaveLength(19);
    for (const response of responses.filter((response) => response.status === 401)) {
      await expectProblem(response, 401, "INVALID_TWO_FACTOR_CODE");
    }
  });

  it("answers malformed codes with 400 or 401, never 500", async () => {
    const user = await userWithTotp(harness);
    const right = codeAt(user.secret, harness.clock);
    const wrongDigit = `${right.slice(0, 5)}${(Number(right[5]) + 1) % 10}`;
    for (const code of [
      "12345",
      "1234567",
      "12a456",
      ` ${wrongDigit}`,
      "１２３４５６",
      "x".repeat(10_000),
      "",
      "-",
    ]) {
      const response = await login(user, code);
      expect([400, 401], JSON.stringify(code.slice(0, 20))).toContain(response.status);
    }
    expect((await login(user, right)).status).toBe(200);
  });

  it("never accepts another user's code", async () => {
    const [alice, bob] = [await userWithTotp(harness), await userWithTotp(harness)];
    const bobsCode = codeAt(bob.secret, harness.clock);
    if (bobsCode !== codeAt(alice.secret, harness.clock)) {
      await expectProblem(await login(alice, bobsCode), 401, "INVALID_TWO_FACTOR_CODE");
    }
    await expectProblem(await login(alice, bob.recoveryCodes[0]), 401, "INVALID_TWO_FACTOR_CODE");
    expect((await login(bob, bob.recoveryCodes[0])).status).toBe(200);
  });

  it("accepts a recovery code once, however it is typed", async () => {
    const user = await userWithTotp(harness);
    const [first, second] = user.recoveryCodes as [string, string];
    expect((await login(user, first)).status).toBe(200);
    await expectProblem(await login(user, first), 401, "INVALID_TWO_FACTOR_CODE");
    expect((await login(user, ` ${second.toUpperCase().replace("-", " ")} `)).status).toBe(200);
    expect(
      await status(((await (await login(user, user.recoveryCodes[2])).json()) as TokenPairBody).accessToken),
    ).toMatchObject({ recoveryCodesLeft: 7 });
    const used = (await harness.auditRows()).filter(
      (row) => row.target_id === user.userId && row.event === "two_factor.recovery_code.use",
    );
    expect(used).toHaveLength(3);
    expect(JSON.stringify(used)).not.toContain(first);
  });
});

describe("POST /auth/2fa/disable", () => {
  it("needs the password and a current code; then login needs no second factor", async () => {
    const user = await userWithTotp(harness);
    const token = user.tokens.accessToken;
    const code = codeAt(user.secret, harness.clock);
    const badPassword = await authed(harness.send, "/auth/2fa/disable", token, {
      password: "wrong password!",
      code,
    });
    expect(await expectInvalidFields(badPassword)).toEqual(["body.password"]);
    const wrong = code === "000000" ? "000001" : "000000";
    const badCode = await authed(harness.send, "/auth/2fa/disable", token, {
      password: user.account.password,
      code: wrong,
    });
    await expectProblem(badCode, 400, "CODE_REJECTED");
    expect(await status(token)).toMatchObject({ enabled: true });
    const notices = () =>
      harness.emails
        .filter((email) => email.template === "two-factor-changed" && email.to === user.account.email)
        .map((email) => [email.data.change, email.data.method]);
    // Enabling sent its notice; the refused attempts to disable sent none.
    expect(notices()).toEqual([["enabled", "totp"]]);

    const disabled = await authed(harness.send, "/auth/2fa/disable", token, {
      password: user.account.password,
      code,
    });
    expect(disabled.status).toBe(204);
    expect(notices()).toEqual([
      ["enabled", "totp"],
      ["disabled", "totp"],
    ]);
    const notice = harness.emails.find(
      (email) => email.data.change === "disabled" && email.to === user.account.email,
    )!;
    // What changed, how and when: never a code, a secret or the recovery codes.
    for (const key of Object.keys(notice.data))
      expect(["change", "changedAt", "method", "name"]).toContain(key);
    expect(JSON.stringify(notice.data)).not.toContain(code);
    expect(await status(token)).toEqual({
      enabled: false,
      method: null,
      enabledAt: null,
      pendingSetup: false,
      recoveryCodesLeft: 0,
    });
    expect(await twoFactorRow(user.userId)).toBeNull();
    const { results } = await env.DB.prepare("SELECT id FROM recovery_codes WHERE user_id = ?")
      .bind(user.userId)
      .all();
    expect(results).toEqual([]);
    expect((await loginWithCode(harness.send, user.account.username, user.account.password)).status).toBe(
      200,
    );
  });

  it("accepts a recovery code instead of the app's code", async () => {
    const user = await userWithTotp(harness);
    const response = await authed(harness.send, "/auth/2fa/disable", user.tokens.accessToken, {
      password: user.account.password,
      code: user.recoveryCodes[4],
    });
    expect(response.status).toBe(204);
  });

  it("answers 409 when two-factor is off, 400 for a missing field, 401 without a token", async () => {
    const { tokens, account } = await register(harness.send);
    const off = await authed(harness.send, "/auth/2fa/disable", tokens.accessToken, {
      password: account.password,
      code: "123456",
    });
    await expectProblem(off, 409, "CONFLICT");
    const missing = await authed(harness.send, "/auth/2fa/disable", tokens.accessToken, { code: "123456" });
    expect(await expectInvalidFields(missing)).toEqual(["body.password"]);
    await expectProblem(await harness.send("/auth/2fa/disable", { method: "POST" }), 401);
  });
});

describe("POST /auth/2fa/recovery-codes", () => {
  it("replaces the set for a current code: the old codes stop working, the new ones work", async () => {
    const user = await userWithTotp(harness);
    const response = await authed(harness.send, "/auth/2fa/recovery-codes", user.tokens.accessToken, {
      code: codeAt(user.secret, harness.clock),
    });
    expect(response.status).toBe(200);
    const { recoveryCodes } = (await response.json()) as RecoveryCodesResponse;
    expect(recoveryCodes).toHaveLength(10);
    expect(recoveryCodes).not.toContain(user.recoveryCodes[0]);
    const notice = harness.emails
      .filter((email) => email.template === "two-factor-changed" && email.to === user.account.email)
      .at(-1);
    expect(notice?.data).toMatchObject({ change: "recovery-codes", method: "totp" });
    // The notice never carries a code: the new set is shown once, in this response only.
    for (const code of recoveryCodes) expect(JSON.stringify(notice?.data)).not.toContain(code);
    const login = (code: string) =>
      loginWithCode(harness.send, user.account.username, user.account.password, code);
    await expectProblem(await login(user.recoveryCodes[0]!), 401, "INVALID_TWO_FACTOR_CODE");
    expect((await login(recoveryCodes[0]!)).status).toBe(200);
  });

  it("refuses a wrong code (400) and answers 409 while two-factor is off", async () => {
    const user = await userWithTotp(harness);
    const wrong = await authed(harness.send, "/auth/2fa/recovery-codes", user.tokens.accessToken, {
      code: "abcde-fghjk",
    });
    await expectProblem(wrong, 400, "CODE_REJECTED");
    const { tokens } = await register(harness.send);
    const off = await authed(harness.send, "/auth/2fa/recovery-codes", tokens.accessToken, {
      code: "123456",
    });
    await expectProblem(off, 409, "CONFLICT");
  });
});
