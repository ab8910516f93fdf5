import { describe, expect, it } from "vitest";
import { createHarness, expectProblem, type Harness, jsonRequest } from "../../helpers/accounts";
import { rootUser } from "../../helpers/api-tokens";
import { agentOf, createTenant } from "../../helpers/tenants";

// Limits are off in the test project; these tests switch on the password budgets they are about and
// send from their own CF-Connecting-IP addresses (see test/integration/accounts/rate-limits.test.ts).
let ipCounter = 0;
const freshIp = () => {
  ipCounter += 1;
  return `203.0.${100 + Math.floor(ipCounter / 250)}.${ipCounter % 250}`;
};
const from = (ip: string) => ({ "cf-connecting-ip": ip });
const tenantLoginFrom = (h: Harness, ip: string, slug: string, email: string, password: string) =>
  h.send(`/tenants/${slug}/login`, jsonRequest({ email, password }, from(ip)));
const authLoginFrom = (h: Harness, ip: string, identifier: string, password: string) =>
  h.send("/auth/login", jsonRequest({ identifier, password }, from(ip)));

async function agentIn(h: Harness) {
  const root = (await rootUser(h.send)).accessToken;
  const { slug } = await createTenant(h.send, root);
  return { slug, agent: await agentOf(h.send, root, slug, "usuario") };
}

describe("POST /tenants/{slug}/login password budgets", () => {
  it("spends the account's failure ceiling from every client, the same one /auth/login spends", async () => {
    const h = createHarness({ RATE_LIMIT_LOGIN_IDENTIFIER: "3/600s", RATE_LIMIT_LOGIN_IP: "100/60s" });
    const { slug, agent } = await agentIn(h);
    const { email } = agent.account;
    // Two wrong guesses at the tenant door and one at /auth/login, each from another address.
    expect((await tenantLoginFrom(h, freshIp(), slug, email, "wrong password here")).status).toBe(401);
    expect(
      (await tenantLoginFrom(h, freshIp(), slug, email.toUpperCase(), "wrong password here")).status,
    ).toBe(401);
    expect((await authLoginFrom(h, freshIp(), email, "wrong password here")).status).toBe(401);
    // The ceiling is spent at both doors, even for the right password.
    const tenantRefused = await tenantLoginFrom(h, freshIp(), slug, email, agent.account.password);
    await expectProblem(tenantRefused, 429, "RATE_LIMITED");
    expect(tenantRefused.headers.get("ratelimit-policy")).toContain('"login_identifier";q=3;w=600');
    await expectProblem(
      await authLoginFrom(h, freshIp(), email, agent.account.password),
      429,
      "RATE_LIMITED",
    );
    h.clock.advance(200_000);
    expect((await tenantLoginFrom(h, freshIp(), slug, email, agent.account.password)).status).toBe(200);
  });

  it("charges failures only: right passwords never spend the budget of this e-mail and client", async () => {
    const h = createHarness({ RATE_LIMIT_LOGIN_IDENTIFIER_CLIENT: "2/600s" });
    const { slug, agent } = await agentIn(h);
    const { email, password } = agent.account;
    const ip = freshIp();
    for (let i = 0; i < 4; i++)
      expect((await tenantLoginFrom(h, ip, slug, email, password)).status).toBe(200);
    for (let i = 0; i < 2; i++)
      expect((await tenantLoginFrom(h, ip, slug, email, "wrong password here")).status).toBe(401);
    await expectProblem(await tenantLoginFrom(h, ip, slug, email, password), 429, "RATE_LIMITED");
    // Another client's budget for the same e-mail is untouched.
    expect((await tenantLoginFrom(h, freshIp(), slug, email, password)).status).toBe(200);
  });
});
