import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { GenerateCodeResponse } from "../../../src/features/two-factor/routes/generate-code";
import type { ValidateCodeResponse } from "../../../src/features/two-factor/routes/validate-code";
import { hashSecret } from "../../../src/platform/secrets";
import {
  bearer,
  createHarness,
  expectInvalidFields,
  expectProblem,
  type Harness,
  jsonRequest,
  login,
  register,
  uniqueClientIp,
} from "../../helpers/accounts";
import { authed, lastEmailedCode, loginWithCode } from "../../helpers/two-factor";

const CLIENT = { "cf-connecting-ip": uniqueClientIp(), "user-agent": "codes-test/1.0" };

let harness: Harness;
let adminToken: string;
beforeAll(async () => {
  harness = createHarness({}, { clientIp: CLIENT["cf-connecting-ip"] });
  adminToken = (await login(harness.send, "admin", "admin")).accessToken;
});

function generate(token: string, body?: Record<string, unknown>): Promise<Response> {
  return harness.send("/tokens/gerar-codigo/", {
    method: "POST",
    headers: { ...bearer(token), ...CLIENT, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
}

function validate(token: string, body: Record<string, unknown>): Promise<Response> {
  return harness.send("/tokens/validar-codigo/", jsonRequest(body, { ...bearer(token), ...CLIENT }));
}

/** A user who asked for a code: their tokens, account and the e-mailed code. */
async function userWithCode(purpose?: string) {
  const user = await register(harness.send);
  const response = await generate(user.tokens.accessToken, purpose ? { purpose } : undefined);
  expect(response.status).toBe(202);
  return { ...user, code: lastEmailedCode(harness, user.account.email) };
}

const otherThan = (code: string) => (code === "000000" ? "000001" : "000000");

describe("POST /tokens/gerar-codigo/", () => {
  it("e-mails a 6-digit code that is never in the response nor stored in clear", async () => {
    const { tokens, account, userId } = await register(harness.send);
    const before = harness.emails.length;
    const response = await generate(tokens.accessToken);
    expect(response.status).toBe(202);
    const body = (await response.json()) as GenerateCodeResponse;
    expect(body).toEqual({
      message: expect.any(String),
      userId,
      purpose: "confirmation",
      expiresAt: new Date(harness.clock.now().getTime() + 300_000).toISOString(),
      sentTo: `${account.email[0]}•••@example.com`,
    });
    const sent = harness.emails.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ template: "two-factor-code", to: account.email });
    const code = sent[0]!.data.code!;
    expect(code).toMatch(/^[0-9]{6}$/);
    expect(sent[0]!.data.expiresInMinutes).toBe("5");
    expect(JSON.stringify(body)).not.toContain(code);

    const row = await env.DB.prepare("SELECT * FROM two_factor_codes WHERE user_id = ?")
      .bind(userId)
      .first<Record<string, unknown>>();
    expect(row).toMatchObject({ purpose: "confirmation", attempts: 0, used_at: null, created_by: userId });
    expect(row).toMatchObject({ ip: CLIENT["cf-connecting-ip"], user_agent: CLIENT["user-agent"] });
    expect(JSON.stringify(row)).not.toContain(code);
    expect(row?.code_hash).not.toBe(await hashSecret(code));

    const audit = (await harness.auditRows()).filter((entry) => entry.target_id === userId);
    expect(audit.at(-1)).toMatchObject({
      event: "two_factor_code.generate",
      result: "success",
      actor_id: userId,
      ip: CLIENT["cf-connecting-ip"],
      user_agent: CLIENT["user-agent"],
    });
    expect(JSON.stringify(audit)).not.toContain(code);
  });

  it("lets an admin send a code to a user, and nobody else", async () => {
    const target = await register(harness.send);
    const response = await generate(adminToken, { userId: target.userId });
    expect(response.status).toBe(202);
    expect(((await response.json()) as GenerateCodeResponse).userId).toBe(target.userId);
    expect(lastEmailedCode(harness, target.account.email)).toMatch(/^[0-9]{6}$/);
    const audit = (await harness.auditRows())
      .filter((entry) => entry.event === "two_factor_code.generate")
      .at(-1);
    expect(audit).toMatchObject({ target_id: target.userId, result: "success" });
    expect(audit?.actor_id).not.toBe(target.userId);

    const other = await register(harness.send);
    await expectProblem(
      await generate(other.tokens.accessToken, { userId: target.userId }),
      403,
      "FORBIDDEN",
    );
    // Naming oneself needs no admin.
    expect((await generate(other.tokens.accessToken, { userId: other.userId })).status).toBe(202);
    await expectProblem(await generate(adminToken, { userId: "usr_nobody" }), 404, "NOT_FOUND");
  });

  it("validates the body and needs a token", async () => {
    const { tokens } = await register(harness.send);
    expect(await expectInvalidFields(await generate(tokens.accessToken, { purpose: "login" }))).toEqual([
      "body.purpose",
    ]);
    expect(await expectInvalidFields(await generate(tokens.accessToken, { userId: "" }))).toEqual([
      "body.userId",
    ]);
    await expectProblem(
      await harness.send("/tokens/gerar-codigo/", { method: "POST" }),
      401,
      "UNAUTHENTICATED",
    );
  });
});

describe("POST /tokens/validar-codigo/", () => {
  it("confirms the right code once, with an audit row carrying IP, user agent and result", async () => {
    const user = await userWithCode();
    const response = await validate(user.tokens.accessToken, { codigo: user.code });
    expect(response.status).toBe(200);
    expect((await response.json()) as ValidateCodeResponse).toEqual({
      valid: true,
      userId: user.userId,
      purpose: "confirmation",
      validatedAt: harness.clock.now().toISOString(),
    });
    const again = await expectProblem(await validate(user.tokens.accessToken, { codigo: user.code }), 409);
    expect(again.detail).toMatch(/already used/);
    const audit = (await harness.auditRows()).filter(
      (entry) => entry.target_id === user.userId && entry.event === "two_factor_code.validate",
    );
    expect(audit.map((entry) => [entry.result, entry.reason, entry.ip, entry.user_agent])).toEqual([
      ["success", null, CLIENT["cf-connecting-ip"], CLIENT["user-agent"]],
      ["failure", "used", CLIENT["cf-connecting-ip"], CLIENT["user-agent"]],
    ]);
  });

  it("refuses the code after its TTL (410)", async () => {
    const user = await userWithCode();
    harness.clock.advance(300_000);
    await expectProblem(await validate(user.tokens.accessToken, { codigo: user.code }), 410, "GONE");
  });

  it("kills the code at the fifth wrong try: the right code no longer works", async () => {
    const user = await userWithCode();
    const wrong = otherThan(user.code);
    const details: string[] = [];
    for (let i = 0; i < 5; i++) {
      details.push(
        (
          await expectProblem(
            await validate(user.tokens.accessToken, { codigo: wrong }),
            400,
            "CODE_REJECTED",
          )
        ).detail,
      );
    }
    expect(details.slice(0, 4)).toEqual(
      [4, 3, 2, 1].map((left) => `The code is wrong; ${left} ${left === 1 ? "try" : "tries"} left`),
    );
    expect(details[4]).toMatch(/dead/);
    const dead = await expectProblem(
      await validate(user.tokens.accessToken, { codigo: user.code }),
      409,
      "CONFLICT",
    );
    expect(dead.detail).toMatch(/too many wrong tries/);
  });

  it("a newer code replaces the older one", async () => {
    const user = await userWithCode();
    expect((await generate(user.tokens.accessToken)).status).toBe(202);
    const newer = lastEmailedCode(harness, user.account.email);
    if (newer !== user.code) {
      await expectProblem(
        await validate(user.tokens.accessToken, { codigo: user.code }),
        400,
        "CODE_REJECTED",
      );
    }
    expect((await validate(user.tokens.accessToken, { codigo: newer })).status).toBe(200);
  });

  it("never accepts another user's code, nor a code of another purpose", async () => {
    const [alice, bob] = [await userWithCode(), await userWithCode()];
    if (alice.code !== bob.code) {
      await expectProblem(
        await validate(alice.tokens.accessToken, { codigo: bob.code }),
        400,
        "CODE_REJECTED",
      );
    }
    expect((await validate(bob.tokens.accessToken, { codigo: bob.code })).status).toBe(200);
    const carol = await userWithCode("second_factor");
    await expectProblem(await validate(carol.tokens.accessToken, { codigo: carol.code }), 404, "NOT_FOUND");
    const right = await validate(carol.tokens.accessToken, { codigo: carol.code, purpose: "second_factor" });
    expect(right.status).toBe(200);
  });

  it("of 20 racing validations of the right code, exactly one succeeds", async () => {
    const user = await userWithCode();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => validate(user.tokens.accessToken, { codigo: user.code })),
    );
    expect(responses.filter((response) => response.status === 200)).toHaveLength(1);
    expect(responses.filter((response) => response.status === 409)).toHaveLength(19);
  });

  it("lets an admin confirm a code a user reads back, and nobody else", async () => {
    const user = await userWithCode();
    const stranger = await register(harness.send);
    const refused = await validate(stranger.tokens.accessToken, { codigo: user.code, userId: user.userId });
    await expectProblem(refused, 403, "FORBIDDEN");
    const confirmed = await validate(adminToken, { codigo: user.code, userId: user.userId });
    expect(confirmed.status).toBe(200);
    expect(((await confirmed.json()) as ValidateCodeResponse).userId).toBe(user.userId);
  });

  it("answers malformed codes with 400 and field errors, 404 before any code, 401 without a token", async () => {
    const { tokens } = await register(harness.send);
    for (const codigo of ["12345", "1234567", "12a456", "x".repeat(10_000), 123456]) {
      expect(await expectInvalidFields(await validate(tokens.accessToken, { codigo }))).toEqual([
        "body.codigo",
      ]);
    }
    expect(await expectInvalidFields(await validate(tokens.accessToken, {}))).toEqual(["body.codigo"]);
    await expectProblem(await validate(tokens.accessToken, { codigo: "123456" }), 404, "NOT_FOUND");
    await expectProblem(
      await harness.send("/tokens/validar-codigo/", jsonRequest({ codigo: "123456" })),
      401,
    );
  });
});

describe("two-factor by e-mail", () => {
  async function userWithEmailTwoFactor() {
    const user = await userWithCode("second_factor");
    const response = await authed(harness.send, "/auth/2fa/enable", user.tokens.accessToken, {
      method: "email",
      code: user.code,
    });
    expect(response.status).toBe(200);
    const { recoveryCodes } = (await response.json()) as { recoveryCodes: string[] };
    return { ...user, recoveryCodes };
  }

  it("is turned on with an e-mailed second_factor code, not a confirmation one", async () => {
    const user = await userWithCode("confirmation");
    const refused = await authed(harness.send, "/auth/2fa/enable", user.tokens.accessToken, {
      method: "email",
      code: user.code,
    });
    await expectProblem(refused, 400, "CODE_REJECTED");
    const enabled = await userWithEmailTwoFactor();
    expect(enabled.recoveryCodes).toHaveLength(10);
    const status = await harness.send("/auth/2fa", { headers: bearer(enabled.tokens.accessToken) });
    expect(await status.json()).toMatchObject({ enabled: true, method: "email", recoveryCodesLeft: 10 });
  });

  it("e-mails a code when login has none, and accepts that code once as twoFactorCode", async () => {
    const user = await userWithEmailTwoFactor();
    const { username } = user.account;
    const before = harness.emails.length;
    const required = await loginWithCode(harness.send, username, user.account.password);
    expect((await expectProblem(required, 401, "TWO_FACTOR_REQUIRED")).detail).toMatch(/sent/);
    expect(harness.emails.slice(before).map((email) => email.to)).toEqual([user.account.email]);
    const code = lastEmailedCode(harness, user.account.email);
    // A wrong password never sends a code.
    await expectProblem(
      await loginWithCode(harness.send, username, "a wrong password"),
      401,
      "INVALID_CREDENTIALS",
    );
    expect(harness.emails.length).toBe(before + 1);

    expect((await loginWithCode(harness.send, username, user.account.password, code)).status).toBe(200);
    const replay = await loginWithCode(harness.send, username, user.account.password, code);
    await expectProblem(replay, 401, "INVALID_TWO_FACTOR_CODE");
    expect(
      (await loginWithCode(harness.send, username, user.account.password, user.recoveryCodes[0])).status,
    ).toBe(200);
  });

  it("is turned off with the password and an e-mailed code", async () => {
    const user = await userWithEmailTwoFactor();
    expect((await generate(user.tokens.accessToken, { purpose: "second_factor" })).status).toBe(202);
    const response = await authed(harness.send, "/auth/2fa/disable", user.tokens.accessToken, {
      password: user.account.password,
      code: lastEmailedCode(harness, user.account.email),
    });
    expect(response.status).toBe(204);
    expect((await loginWithCode(harness.send, user.account.username, user.account.password)).status).toBe(
      200,
    );
  });
});
