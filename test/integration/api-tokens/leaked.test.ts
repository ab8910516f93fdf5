import { describe, expect, it } from "vitest";
import { generateApiToken } from "../../../src/features/api-tokens/token-format";
import { cryptoRandom } from "../../../src/platform/random";
import {
  bearer,
  createHarness,
  expectInvalidFields,
  expectProblem,
  jsonRequest,
} from "../../helpers/accounts";
import { createApiToken, userWithRole } from "../../helpers/api-tokens";

const report = (send: ReturnType<typeof createHarness>["send"], token: unknown, ip?: string) =>
  send("/api/api-tokens/leaked", jsonRequest({ token }, ip ? { "cf-connecting-ip": ip } : {}));

describe("POST /api/api-tokens/leaked", () => {
  it("revokes a live token, e-mails its owner and audits the report; the answer says nothing", async () => {
    const harness = createHarness();
    const owner = await userWithRole(harness.send, "usuario");
    const leaked = await createApiToken(harness.send, owner.accessToken, { nome: "Deploy do CI" });
    expect((await harness.send("/auth/me", { headers: bearer(leaked.token) })).status).toBe(200);

    const response = await report(harness.send, leaked.token);
    expect(response.status).toBe(202);
    const answer = await response.json();

    await expectProblem(
      await harness.send("/auth/me", { headers: bearer(leaked.token) }),
      401,
      "INVALID_TOKEN",
    );
    const listed = (await (
      await harness.send("/api/api-tokens/", { headers: bearer(owner.accessToken) })
    ).json()) as {
      tokens: Array<Record<string, unknown>>;
    };
    expect(listed.tokens.find((token) => token.id === leaked.id)).toMatchObject({
      status: "revoked",
      revoked_reason: "leaked",
      revoked_by: null,
    });
    const notices = harness.emails.filter((email) => email.template === "api-token-leaked");
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({
      data: { tokenName: "Deploy do CI", tokenStart: leaked.token_start },
    });
    const audits = (await harness.auditRows()).filter((row) => row.event === "api_token.leak_report");
    expect(audits.at(-1)).toMatchObject({
      result: "success",
      target_type: "api_token",
      target_id: leaked.id,
      actor_id: null,
      ip: harness.clientIp,
    });

    // Reported again, and a well-formed token that never existed: the very same answer, no e-mail.
    const unknown = (await generateApiToken(cryptoRandom)).token;
    for (const token of [leaked.token, unknown]) {
      const again = await report(harness.send, token);
      expect(again.status).toBe(202);
      expect(await again.json()).toEqual(answer);
    }
    expect(harness.emails.filter((email) => email.template === "api-token-leaked")).toHaveLength(1);
    const failures = (await harness.auditRows()).filter(
      (row) => row.event === "api_token.leak_report" && row.result === "failure",
    );
    expect(failures.slice(-2).map((row) => row.reason)).toEqual(["not_live", "not_live"]);
  });

  it("refuses what is not an API token of this service at all (checkable offline): 400", async () => {
    const harness = createHarness();
    const { token } = await generateApiToken(cryptoRandom);
    const badChecksum = `${token.slice(0, -1)}${token.at(-1) === "A" ? "B" : "A"}`;
    for (const value of [badChecksum, "eat_short", "ghp_123", "", 42]) {
      expect(await expectInvalidFields(await report(harness.send, value))).toEqual(["body.token"]);
    }
  });

  it("is rate limited per client IP", async () => {
    const harness = createHarness({ RATE_LIMIT_API_TOKEN_LEAK_IP: "2/3600s" });
    const { token } = await generateApiToken(cryptoRandom);
    expect((await report(harness.send, token, "198.51.100.200")).status).toBe(202);
    expect((await report(harness.send, token, "198.51.100.200")).status).toBe(202);
    const refused = await report(harness.send, token, "198.51.100.200");
    await expectProblem(refused, 429, "RATE_LIMITED");
    expect(refused.headers.get("retry-after")).toBe("1800");
    expect((await report(harness.send, token, "198.51.100.201")).status).toBe(202);
  });
});
