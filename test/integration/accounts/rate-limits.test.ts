import { describe, expect, it } from "vitest";
import {
  bearer,
  createHarness,
  expectProblem,
  type Harness,
  jsonRequest,
  loginAsAdmin,
  newAccount,
  register,
} from "../../helpers/accounts";

// The test project runs with every limit off (vitest.config.mts); each test here switches on the
// policies it is about, through the real app over the real RateLimiter Durable Objects, and sends
// from its own CF-Connecting-IP addresses so no other test's requests share a budget.
let ipCounter = 0;
const freshIp = () => {
  ipCounter += 1;
  return `198.51.${100 + Math.floor(ipCounter / 250)}.${ipCounter % 250}`;
};
// Metrics flushed at once, so waiting for a request's `waitUntil` work does not wait a second.
const limited = (vars: Parameters<typeof createHarness>[0]) =>
  createHarness({ METRICS_FLUSH_DELAY_MS: "0", ...vars });
const from = (ip: string, headers: Record<string, string> = {}) => ({ "cf-connecting-ip": ip, ...headers });

const loginAs = (harness: Harness, ip: string, identifier: string, password: string, headers = {}) =>
  harness.send("/auth/login", jsonRequest({ identifier, password }, from(ip, headers)));

/** What a client sees of a 429, minus the request id: status, headers and body. */
async function refusal(response: Response) {
  const { requestId: _requestId, ...problem } = await expectProblem(response, 429, "RATE_LIMITED");
  return {
    problem,
    retryAfter: response.headers.get("retry-after"),
    rateLimit: response.headers.get("ratelimit"),
    rateLimitPolicy: response.headers.get("ratelimit-policy"),
  };
}

describe("rate limits of the account routes", () => {
  it("login: a wrong password from elsewhere never locks the owner out (failures count per identifier and client)", async () => {
    const harness = limited({ RATE_LIMIT_LOGIN_IDENTIFIER_CLIENT: "3/600s" });
    const { account } = await register(harness.send, newAccount());
    const attacker = freshIp();
    const owner = freshIp();
    // One wrong guess a minute from the attacker's client, for ten minutes.
    const attempts: Response[] = [];
    for (let minute = 0; minute < 10; minute++) {
      attempts.push(await loginAs(harness, attacker, account.email, "wrong password here"));
      expect((await loginAs(harness, owner, account.email, account.password)).status).toBe(200);
      harness.clock.advance(60_000);
    }
    // 3 failures, then one more every 200 s: the attacker's own budget, never the owner's.
    expect(attempts.map((response) => response.status)).toEqual([
      401, 401, 401, 429, 401, 429, 429, 401, 429, 429,
    ]);
    expect((await refusal(attempts[3]!)).rateLimitPolicy).toContain('"login_identifier_client";q=3;w=600');
  });

  it("login: successful attempts cost nothing; failures spend the budget of that identifier and client only", async () => {
    const harness = limited({
      RATE_LIMIT_LOGIN_IDENTIFIER_CLIENT: "2/600s",
      RATE_LIMIT_LOGIN_IDENTIFIER: "2/600s",
    });
    const { account } = await register(harness.send, newAccount());
    const ip = freshIp();
    for (let i = 0; i < 6; i++)
      expect((await loginAs(harness, ip, account.username, account.password)).status).toBe(200);
    for (let i = 0; i < 2; i++)
      expect((await loginAs(harness, ip, account.username, "wrong password here")).status).toBe(401);
    await refusal(await loginAs(harness, ip, account.username, account.password));
    // The e-mail is another identifier with its own budgets.
    expect((await loginAs(harness, ip, account.email, account.password)).status).toBe(200);
  });

  it("login per identifier from anywhere: a much larger ceiling on failures, spent by every client together", async () => {
    const harness = limited({ RATE_LIMIT_LOGIN_IDENTIFIER: "3/600s", RATE_LIMIT_LOGIN_IP: "100/60s" });
    const { account } = await register(harness.send, newAccount());
    for (const identifier of [account.email, `  ${account.email.toUpperCase()}`, account.email]) {
      const response = await loginAs(harness, freshIp(), identifier, "wrong password here");
      expect(response.status).toBe(401);
      expect(response.headers.get("ratelimit-policy")).toBe(
        '"login_identifier";q=3;w=600, "login_ip";q=100;w=60',
      );
    }
    // Once the ceiling is spent, even the right password waits: it bounds online guessing (NIST
    // SP 800-63B caps consecutive failures at 100, the default here).
    const seen = await refusal(await loginAs(harness, freshIp(), account.email, account.password));
    expect(seen.retryAfter).toBe("200");
    expect(seen.rateLimit).toMatch(/^"login_identifier";r=0;t=600, "login_ip";r=99;t=1$/);
    harness.clock.advance(200_000);
    expect((await loginAs(harness, freshIp(), account.email, account.password)).status).toBe(200);
  });

  it("login per IP: one CF-Connecting-IP trying many identifiers; X-Forwarded-For is ignored", async () => {
    const harness = limited({ RATE_LIMIT_LOGIN_IP: "3/60s" });
    const ip = freshIp();
    for (let i = 0; i < 3; i++) {
      const response = await loginAs(harness, ip, `guess${i}@example.com`, "wrong password here", {
        "x-forwarded-for": `10.0.0.${i}`,
      });
      expect(response.status).toBe(401);
      expect(response.headers.get("ratelimit")).toBe(`"login_ip";r=${2 - i};t=${20 * (i + 1)}`);
    }
    const refused = await refusal(
      await loginAs(harness, ip, "guess9@example.com", "wrong password here", {
        "x-forwarded-for": freshIp(),
      }),
    );
    expect(refused.retryAfter).toBe("20");
    expect(refused.rateLimitPolicy).toBe('"login_ip";q=3;w=60');
    expect(refused.rateLimit).toBe('"login_ip";r=0;t=60');
    expect((await loginAs(harness, freshIp(), "guess9@example.com", "wrong password here")).status).toBe(401);
  });

  it("a 429 looks the same for an existing and an unknown identifier", async () => {
    const harness = limited({ RATE_LIMIT_LOGIN_IDENTIFIER: "2/600s" });
    const { account } = await register(harness.send, newAccount());
    const unknown = newAccount().email;
    const exhaust = async (identifier: string) => {
      for (let i = 0; i < 2; i++) {
        expect((await loginAs(harness, freshIp(), identifier, "wrong password here")).status).toBe(401);
      }
      return refusal(await loginAs(harness, freshIp(), identifier, "wrong password here"));
    };
    const known = await exhaust(account.email);
    const other = await exhaust(unknown);
    expect(known.retryAfter).toBe("300");
    expect(other).toEqual(known);
  });

  it("password-reset request per e-mail and client, per e-mail and per IP; a refusal sends nothing", async () => {
    const harness = limited({
      RATE_LIMIT_PASSWORD_RESET_IDENTIFIER_CLIENT: "2/3600s",
      RATE_LIMIT_PASSWORD_RESET_IDENTIFIER: "3/3600s",
      RATE_LIMIT_PASSWORD_RESET_IP: "3/3600s",
    });
    const { account } = await register(harness.send, newAccount());
    const request = (ip: string, email: string) =>
      harness.send("/reset-password/request", jsonRequest({ email }, from(ip)));
    const unknown = newAccount().email;
    const refusals = [];
    for (const email of [account.email, unknown]) {
      const ip = freshIp();
      for (const spelling of [email, email.toUpperCase()])
        expect((await request(ip, spelling)).status).toBe(202);
      refusals.push(await refusal(await request(ip, email)));
      // Another client still has its own budget, until the address's ceiling is spent.
      expect((await request(freshIp(), email)).status).toBe(202);
      const ceiling = await refusal(await request(freshIp(), email));
      expect(ceiling.rateLimit).toMatch(/"password_reset_identifier";r=0;t=3600/);
    }
    expect(refusals[0]!.retryAfter).toBe("1800");
    expect(refusals[1]).toEqual(refusals[0]);
    const resets = harness.emails.filter((email) => email.template === "password-reset");
    expect(resets).toHaveLength(3);

    const ip = freshIp();
    for (let i = 0; i < 3; i++) expect((await request(ip, newAccount().email)).status).toBe(202);
    const perIp = await refusal(await request(ip, newAccount().email));
    expect(perIp.retryAfter).toBe("1200");
    expect(perIp.rateLimit).toMatch(/"password_reset_ip";r=0;t=3600/);
  });

  it("password reset: an attacker's requests neither spend the owner's budget nor cancel the owner's link", async () => {
    const harness = limited({ RATE_LIMIT_PASSWORD_RESET_IDENTIFIER_CLIENT: "3/3600s" });
    const { account } = await register(harness.send, newAccount());
    const request = (ip: string) =>
      harness.send("/reset-password/request", jsonRequest({ email: account.email }, from(ip)));
    const owner = freshIp();
    expect((await request(owner)).status).toBe(202);
    const ownersLink = harness.emails.filter((email) => email.template === "password-reset").at(-1)!
      .data.token;

    const attacker = freshIp();
    for (let i = 0; i < 3; i++) expect((await request(attacker)).status).toBe(202);
    await refusal(await request(attacker));
    expect((await request(owner)).status).toBe(202);

    const confirmed = await harness.send(
      "/reset-password/confirm",
      jsonRequest({ token: ownersLink, password: "the owner's new passphrase" }),
    );
    expect(confirmed.status).toBe(204);
  });

  it("verification request per e-mail and client, per e-mail and per IP", async () => {
    const harness = limited({
      RATE_LIMIT_VERIFICATION_IDENTIFIER_CLIENT: "1/3600s",
      RATE_LIMIT_VERIFICATION_IDENTIFIER: "2/3600s",
      RATE_LIMIT_VERIFICATION_IP: "2/3600s",
    });
    const request = (ip: string, email: string) =>
      harness.send("/verification-token/request", jsonRequest({ email }, from(ip)));
    const email = newAccount().email;
    const client = freshIp();
    expect((await request(client, email)).status).toBe(202);
    expect((await refusal(await request(client, ` ${email.toUpperCase()}`))).retryAfter).toBe("3600");
    expect((await request(freshIp(), email)).status).toBe(202);
    expect((await refusal(await request(freshIp(), email))).rateLimit).toMatch(
      /"verification_identifier";r=0/,
    );

    const ip = freshIp();
    for (let i = 0; i < 2; i++) expect((await request(ip, newAccount().email)).status).toBe(202);
    expect((await refusal(await request(ip, newAccount().email))).rateLimit).toMatch(
      /"verification_ip";r=0;t=3600/,
    );
  });

  it("register, refresh, logout, reset confirm and verification verify are limited per IP", async () => {
    const harness = limited({
      RATE_LIMIT_REGISTER_IP: "1/3600s",
      RATE_LIMIT_REFRESH_IP: "1/60s",
      RATE_LIMIT_LOGOUT_IP: "1/60s",
      RATE_LIMIT_PASSWORD_RESET_CONFIRM_IP: "1/600s",
      RATE_LIMIT_VERIFICATION_VERIFY_IP: "1/600s",
    });
    const ip = freshIp();
    const send = (path: string, body: unknown) => harness.send(path, jsonRequest(body, from(ip)));
    const first = newAccount();
    expect((await send("/auth/register", first)).status).toBe(201);
    const second = newAccount();
    await refusal(await send("/auth/register", second));
    // Refused before anything happened: the second account does not exist.
    expect((await loginAs(harness, freshIp(), second.username, second.password)).status).toBe(401);

    const cases: Array<[string, unknown, number]> = [
      ["/auth/refresh", { refreshToken: "not.a.token" }, 401],
      ["/auth/logout", { refreshToken: "not.a.token", all: true }, 401],
      ["/reset-password/confirm", { token: "rst_guess", password: "a brand new passphrase" }, 400],
      ["/verification-token/verify", { token: "vfy_guess" }, 400],
    ];
    for (const [path, body, status] of cases) {
      expect((await send(path, body)).status, path).toBe(status);
      await refusal(await send(path, body));
    }
  });

  it("credential routes fail closed when the limiter is unreachable; registration fails open", async () => {
    const broken = {
      getByName: () => ({ check: () => Promise.reject(new Error("limiter down")) }),
    } as unknown as Env["RATE_LIMITER"];
    const harness = limited({
      RATE_LIMITER: broken as unknown as string,
      RATE_LIMIT_LOGIN_IP: "30/60s",
      RATE_LIMIT_PASSWORD_RESET_IP: "10/3600s",
      RATE_LIMIT_VERIFICATION_VERIFY_IP: "20/600s",
      RATE_LIMIT_REGISTER_IP: "10/3600s",
    });
    const ip = freshIp();
    const account = newAccount();
    expect((await harness.send("/auth/register", jsonRequest(account, from(ip)))).status).toBe(201);
    const attempts = [
      loginAs(harness, ip, account.username, account.password),
      harness.send("/reset-password/request", jsonRequest({ email: account.email }, from(ip))),
      harness.send("/verification-token/verify", jsonRequest({ token: "vfy_guess" }, from(ip))),
    ];
    for (const response of await Promise.all(attempts)) {
      await expectProblem(response, 503, "DEPENDENCY_UNAVAILABLE");
      expect(response.headers.get("retry-after")).toBe("10");
    }
  });

  it("introspection is limited per IP, after the caller is known to be allowed", async () => {
    const harness = limited({ RATE_LIMIT_INTROSPECT_IP: "1/60s" });
    const admin = await loginAsAdmin(harness.send);
    const ip = freshIp();
    const introspect = () =>
      harness.send(
        "/auth/introspect",
        jsonRequest({ token: admin.accessToken }, from(ip, bearer(admin.accessToken))),
      );
    expect((await introspect()).status).toBe(200);
    const refused = await refusal(await introspect());
    expect(refused.rateLimitPolicy).toBe('"introspect_ip";q=1;w=60');
  });
});
