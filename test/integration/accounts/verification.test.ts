import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { DAY_MS } from "../../../src/platform/clock";
import {
  bearer,
  createHarness,
  expectInvalidFields,
  expectProblem,
  type Harness,
  jsonRequest,
  register,
} from "../../helpers/accounts";

const verify = (harness: Harness, token: string) =>
  harness.send("/verification-token/verify", jsonRequest({ token }));

const latestToken = (harness: Harness) =>
  harness.emails.filter((message) => message.template === "verify-email").at(-1)?.data.token;

describe("e-mail verification", () => {
  it("the token e-mailed at registration verifies the address, once", async () => {
    const harness = createHarness();
    const { tokens, userId } = await register(harness.send);
    const token = latestToken(harness)!;
    harness.clock.advance(5000);

    const response = await verify(harness, token);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { emailVerified: boolean; emailVerifiedAt: string };
    expect(body).toEqual({ emailVerified: true, emailVerifiedAt: harness.clock.now().toISOString() });
    const me = await harness.send("/auth/me", { headers: bearer(tokens.accessToken) });
    expect(await me.json()).toMatchObject({ emailVerified: true, emailVerifiedAt: body.emailVerifiedAt });

    await expectProblem(await verify(harness, token), 409, "CONFLICT");
    const rows = (await harness.auditRows()).filter((row) => row.event === "email_verification.verify");
    expect(rows.map((row) => [row.result, row.reason, row.target_id])).toEqual([
      ["success", null, userId],
      ["failure", "used", userId],
    ]);
    expect(JSON.stringify(await harness.auditRows())).not.toContain(token);
    const stored = await env.DB.prepare("SELECT * FROM verification_tokens").all();
    expect(JSON.stringify(stored.results)).not.toContain(token);
  });

  it("request answers the same 202 for unknown, verified and unverified addresses; only the last gets mail", async () => {
    const harness = createHarness();
    const unverified = await register(harness.send);
    const verified = await register(harness.send);
    await verify(harness, latestToken(harness)!);
    harness.emails.length = 0;

    const bodies = [];
    for (const email of ["nobody@example.com", verified.account.email, unverified.account.email]) {
      const response = await harness.send("/verification-token/request", jsonRequest({ email }));
      expect(response.status).toBe(202);
      bodies.push(await response.json());
    }
    expect(new Set(bodies.map((body) => JSON.stringify(body))).size).toBe(1);
    expect(harness.emails.map((message) => message.to)).toEqual([unverified.account.email]);
    expect(harness.emails[0]!.data.token).toMatch(/^vfy_/);

    const reasons = (await harness.auditRows())
      .filter((row) => row.event === "email_verification.request" && row.result === "failure")
      .map((row) => row.reason);
    expect(reasons).toEqual(["unknown_email", "already_verified"]);
  });

  it("a new token leaves the old one usable; expired is 410; unknown is 400", async () => {
    const harness = createHarness();
    const { account } = await register(harness.send);
    const first = latestToken(harness)!;
    harness.clock.advance(1000);
    await harness.send("/verification-token/request", jsonRequest({ email: account.email }));
    const second = latestToken(harness)!;
    expect(second).not.toBe(first);
    harness.clock.advance(DAY_MS - 1000);
    await expectProblem(await verify(harness, first), 410, "GONE");
    expect((await verify(harness, second)).status).toBe(200);

    harness.clock.advance(DAY_MS);
    await expectProblem(await verify(harness, second), 409, "CONFLICT");
    expect(await expectInvalidFields(await verify(harness, "vfy_unknown"))).toEqual(["body.token"]);
  });

  it("validation: token and e-mail are required", async () => {
    const harness = createHarness();
    expect(
      await expectInvalidFields(await harness.send("/verification-token/verify", jsonRequest({}))),
    ).toEqual(["body.token"]);
    expect(
      await expectInvalidFields(
        await harness.send("/verification-token/verify", jsonRequest({ token: "x".repeat(201) })),
      ),
    ).toEqual(["body.token"]);
    expect(
      await expectInvalidFields(
        await harness.send("/verification-token/request", jsonRequest({ email: "" })),
      ),
    ).toEqual(["body.email"]);
  });
});
