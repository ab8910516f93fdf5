import { describe, expect, it } from "vitest";
import { createHarness, expectProblem, jsonRequest, register } from "../../helpers/accounts";
import { authed, codeAt, lastEmailedCode, loginWithCode, userWithTotp } from "../../helpers/two-factor";

// The test project runs with every limit off; each test switches on the policies it is about.
// Metrics flushed at once, so waiting for a request's `waitUntil` work does not wait a second.
const limited = (vars: Parameters<typeof createHarness>[0]) =>
  createHarness({ METRICS_FLUSH_DELAY_MS: "0", ...vars });

describe("the per-user limit of wrong second factors", () => {
  it("refuses even the right code with 429 once the user's wrong tries are spent, then recovers", async () => {
    // 3 per 600 s: a burst of 3 wrong codes, then one more every 200 s.
    const harness = limited({ RATE_LIMIT_TWO_FACTOR_USER: "3/600s" });
    const user = await userWithTotp(harness);
    const login = (code: string) =>
      loginWithCode(harness.send, user.account.username, user.account.password, code);
    const right = () => codeAt(user.secret, harness.clock);
    const wrong = () => (right() === "000000" ? "000001" : "000000");
    for (let i = 0; i < 3; i++) await expectProblem(await login(wrong()), 401, "INVALID_TWO_FACTOR_CODE");

    const refused = await login(right());
    const problem = await expectProblem(refused, 429, "RATE_LIMITED");
    expect(problem.detail).toMatch(/wrong codes/);
    expect(Number(refused.headers.get("retry-after"))).toBe(200);
    // The per-user budget is shared by every place a code is typed: the 2FA routes too.
    const manage = await authed(harness.send, "/auth/2fa/recovery-codes", user.tokens.accessToken, {
      code: right(),
    });
    await expectProblem(manage, 429, "RATE_LIMITED");

    // Another user is not affected; the password limits are separate (still a plain 401 for a bad password).
    const other = await userWithTotp(harness);
    expect(
      (
        await loginWithCode(
          harness.send,
          other.account.username,
          other.account.password,
          codeAt(other.secret, harness.clock),
        )
      ).status,
    ).toBe(200);
    await expectProblem(
      await loginWithCode(harness.send, user.account.username, "wrong password!"),
      401,
      "INVALID_CREDENTIALS",
    );

    harness.clock.advance(200_000);
    expect((await login(right())).status).toBe(200);
    const audit = (await harness.auditRows()).filter(
      (row) => row.target_id === user.userId && row.event === "two_factor.verify",
    );
    expect(audit.map((row) => row.reason)).toEqual([
      "wrong_code",
      "wrong_code",
      "wrong_code",
      "rate_limited",
      "rate_limited",
    ]);
  });

  it("counts only wrong codes: right ones never spend the budget", async () => {
    const harness = limited({ RATE_LIMIT_TWO_FACTOR_USER: "2/600s" });
    const user = await userWithTotp(harness);
    for (let i = 0; i < 4; i++) {
      const code = codeAt(user.secret, harness.clock);
      expect(
        (await loginWithCode(harness.send, user.account.username, user.account.password, code)).status,
      ).toBe(200);
      harness.clock.advance(30_000);
    }
    for (const code of user.recoveryCodes.slice(0, 3)) {
      expect(
        (await loginWithCode(harness.send, user.account.username, user.account.password, code)).status,
      ).toBe(200);
    }
  });

  it("wrong e-mailed codes at /tokens/validar-codigo/ spend the same budget", async () => {
    const harness = limited({ RATE_LIMIT_TWO_FACTOR_USER: "2/600s" });
    const { tokens, account } = await register(harness.send);
    expect((await authed(harness.send, "/tokens/gerar-codigo/", tokens.accessToken)).status).toBe(202);
    const code = lastEmailedCode(harness, account.email);
    const wrong = code === "000000" ? "000001" : "000000";
    const validate = (codigo: string) =>
      harness.send(
        "/tokens/validar-codigo/",
        jsonRequest({ codigo }, { authorization: `Bearer ${tokens.accessToken}` }),
      );
    for (let i = 0; i < 2; i++) await expectProblem(await validate(wrong), 400, "CODE_REJECTED");
    await expectProblem(await validate(code), 429, "RATE_LIMITED");
  });
});

describe("the per-user limit of e-mailed codes", () => {
  it("sends at most the configured number of codes to one user, whoever asks", async () => {
    const harness = limited({ RATE_LIMIT_TWO_FACTOR_CODE_SEND: "2/600s" });
    const { tokens, account } = await register(harness.send);
    const generate = () => authed(harness.send, "/tokens/gerar-codigo/", tokens.accessToken);
    for (let i = 0; i < 2; i++) expect((await generate()).status).toBe(202);
    const refused = await generate();
    await expectProblem(refused, 429, "RATE_LIMITED");
    expect(Number(refused.headers.get("retry-after"))).toBe(300);
    expect(
      harness.emails.filter((email) => email.to === account.email && email.template === "two-factor-code"),
    ).toHaveLength(2);
    const audit = (await harness.auditRows()).filter(
      (row) => row.event === "two_factor_code.generate" && row.target_id !== null,
    );
    expect(audit.at(-1)).toMatchObject({ result: "failure", reason: "rate_limited" });
  });
});

describe("the password limits and a two-step sign-in", () => {
  it("never charge the first step (TWO_FACTOR_REQUIRED) or a wrong code: the password was right", async () => {
    const harness = limited({
      RATE_LIMIT_LOGIN_IDENTIFIER_CLIENT: "2/600s",
      RATE_LIMIT_LOGIN_IDENTIFIER: "2/600s",
    });
    const user = await userWithTotp(harness);
    const { username, password } = user.account;
    for (let i = 0; i < 4; i++) {
      await expectProblem(await loginWithCode(harness.send, username, password), 401, "TWO_FACTOR_REQUIRED");
      const code = codeAt(user.secret, harness.clock);
      const wrong = code === "000000" ? "000001" : "000000";
      await expectProblem(
        await loginWithCode(harness.send, username, password, wrong),
        401,
        "INVALID_TWO_FACTOR_CODE",
      );
      expect((await loginWithCode(harness.send, username, password, code)).status).toBe(200);
      harness.clock.advance(30_000);
    }
    // A wrong password is still a failure: two of them spend the budget of this identifier.
    for (let i = 0; i < 2; i++) {
      await expectProblem(await loginWithCode(harness.send, username, "wrong password!"), 401);
    }
    await expectProblem(await loginWithCode(harness.send, username, password), 429, "RATE_LIMITED");
  });
});
