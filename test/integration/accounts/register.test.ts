import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { renderEmail } from "../../../src/features/email/render";
import {
  asClient,
  createHarness,
  decodeJwt,
  expectInvalidFields,
  expectProblem,
  jsonRequest,
  newAccount,
  register,
  viaSelf,
} from "../../helpers/accounts";
import { PRODUCTION_PASSWORD_COST } from "../../helpers/password-cost";

// A client IP of this file's own: test files share one D1, and audit rows are read per client.
const self = asClient(viaSelf);

const ACCESS_CLAIMS = [
  "sub",
  "user_id",
  "user_name",
  "email",
  "email_verified",
  "roles",
  "institutions",
  "token_epoch",
  "iss",
  "aud",
  "iat",
  "exp",
];

describe("POST /auth/register", () => {
  it("creates an usuario account and returns a token pair with seed 002's payload", async () => {
    const account = newAccount({ name: "Maria Silva" });
    const response = await self.send("/auth/register", jsonRequest(account));
    expect(response.status).toBe(201);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = (await response.json()) as Record<string, unknown> & {
      accessToken: string;
      refreshToken: string;
      user: Record<string, unknown>;
    };
    expect(body).toMatchObject({ tokenType: "Bearer", expiresIn: 900, refreshExpiresIn: 1_209_600 });
    expect(body.user).toMatchObject({
      username: account.username,
      email: account.email,
      name: "Maria Silva",
      role: "usuario",
      roles: ["usuario"],
      institutions: [],
      emailVerified: false,
      emailVerifiedAt: null,
    });

    const access = decodeJwt(body.accessToken);
    expect(access.header).toMatchObject({ alg: "RS256", typ: "at+jwt" });
    expect(access.header.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Object.keys(access.payload).sort()).toEqual([...ACCESS_CLAIMS].sort());
    expect(access.payload).toMatchObject({
      sub: body.user.id,
      user_id: body.user.id,
      user_name: "Maria Silva",
      email: account.email,
      email_verified: false,
      roles: ["usuario"],
      institutions: [],
      token_epoch: 0,
      iss: env.JWT_ISSUER,
      aud: env.JWT_AUDIENCE,
    });
    expect((access.payload.exp as number) - (access.payload.iat as number)).toBe(900);

    const refresh = decodeJwt(body.refreshToken);
    expect(refresh.header).toMatchObject({ alg: "RS256", typ: "rt+jwt", kid: access.header.kid });
    // Only what rotation reads, addressed to the service itself (docs/accounts.md "Tokens").
    expect(Object.keys(refresh.payload).sort()).toEqual(
      ["sub", "token_epoch", "auth_time", "jti", "iss", "aud", "iat", "exp"].sort(),
    );
    expect(refresh.payload).toMatchObject({ sub: body.user.id, aud: env.JWT_ISSUER, token_epoch: 0 });
    expect(refresh.payload.jti).toMatch(/^rtk_/);

    const stored = await env.DB.prepare("SELECT password_hash FROM users WHERE id = ?")
      .bind(body.user.id)
      .first();
    expect(JSON.stringify(stored)).not.toContain(account.password);
  });

  it("stores the password as an Argon2id PHC string at the configured cost", async () => {
    // At wrangler.toml's cost: the test project's own is far cheaper (vitest.config.mts).
    const production = createHarness(PRODUCTION_PASSWORD_COST);
    const { account, userId } = await register(production.send);
    const stored = await env.DB.prepare("SELECT password_hash FROM users WHERE id = ?").bind(userId).first();
    expect(stored?.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(JSON.stringify(stored)).not.toContain(account.password);
  });

  it("queues the verification e-mail with the token in the link's fragment, and audits", async () => {
    const harness = createHarness();
    const { account, userId } = await register(harness.send);
    expect(harness.emails).toHaveLength(1);
    const [email] = harness.emails;
    expect(email).toMatchObject({ template: "verify-email", to: account.email });
    expect(email!.id).toMatch(/^evt_/);
    expect(email!.requestId).toMatch(/^req_/);
    expect(email!.data.token).toMatch(/^vfy_[A-Za-z0-9_-]{43}$/);
    const { text, html } = renderEmail(email!, { appName: "Edge Auth", baseUrl: "http://localhost:8787" });
    expect(text).toContain(`http://localhost:8787/verify-email#token=${email!.data.token}`);
    expect(`${text}${html}`).not.toContain("?token=");

    const rows = await harness.auditRows();
    const registered = rows.find((row) => row.event === "auth.register" && row.target_id === userId);
    expect(registered).toMatchObject({ result: "success", actor_id: userId, request_id: email!.requestId });
  });

  it("accepts any Unicode password of 8+ characters and a name defaulting to the username", async () => {
    const account = newAccount({ password: "🔐🔑🗝️🛡️🔒🔓🧷🪪" });
    const { name: _ignored, ...withoutName } = account;
    const response = await self.send("/auth/register", jsonRequest(withoutName));
    expect(response.status).toBe(201);
    const body = (await response.json()) as { user: { name: string } };
    expect(body.user.name).toBe(account.username);
    const login = await self.send(
      "/auth/login",
      jsonRequest({ identifier: account.username, password: account.password }),
    );
    expect(login.status).toBe(200);
  });

  describe("validation (400 problem+json naming each field; nothing is created)", () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ["missing username", { username: undefined }, "body.username"],
      ["short username", { username: "ab" }, "body.username"],
      ["long username", { username: "a".repeat(33) }, "body.username"],
      ["username with a space", { username: "maria silva" }, "body.username"],
      ["username with @", { username: "maria@home" }, "body.username"],
      ["username ending in a dot", { username: "maria." }, "body.username"],
      ["username not a string", { username: 12345 }, "body.username"],
      ["missing e-mail", { email: undefined }, "body.email"],
      ["invalid e-mail", { email: "maria.example.com" }, "body.email"],
      ["overlong e-mail", { email: `${"a".repeat(250)}@example.com` }, "body.email"],
      ["missing password", { password: undefined }, "body.password"],
      ["7-character password", { password: "abcdefg" }, "body.password"],
      ["257-character password", { password: "x".repeat(257) }, "body.password"],
      ["common password", { password: "Password1" }, "body.password"],
      ["password over the byte cap", { password: "é".repeat(600) }, "body.password"],
      ["empty name", { name: "  " }, "body.name"],
      ["overlong name", { name: "n".repeat(101) }, "body.name"],
      ["name with a line break", { name: "Maria\n\nVisit https://evil.example" }, "body.name"],
      ["name with a carriage return", { name: "Maria\rSilva" }, "body.name"],
      ["name with a control character", { name: "Maria\u0007" }, "body.name"],
      ["name with a line separator", { name: "Maria\u2028Silva" }, "body.name"],
      ["name with a bidi override", { name: "Maria \u202Eexe.gnp" }, "body.name"],
    ];
    for (const [label, override, field] of cases) {
      it(label, async () => {
        const account = { ...newAccount(), ...override };
        const response = await self.send("/auth/register", jsonRequest(account));
        expect(await expectInvalidFields(response)).toContain(field);
        if (typeof account.username === "string") {
          const row = await env.DB.prepare("SELECT id FROM users WHERE username = ?")
            .bind(account.username)
            .first();
          expect(row).toBeNull();
        }
      });
    }

    it("a password equal to the username or the e-mail", async () => {
      const account = newAccount();
      for (const password of [account.username, account.email.toUpperCase()]) {
        const response = await self.send("/auth/register", jsonRequest({ ...account, password }));
        expect(await expectInvalidFields(response)).toEqual(["body.password"]);
      }
    });

    it("a 60 KB password is refused fast, before hashing; a 1 MB body is 413", async () => {
      const started = Date.now();
      const response = await self.send(
        "/auth/register",
        jsonRequest({ ...newAccount(), password: "p".repeat(60_000) }),
      );
      expect(await expectInvalidFields(response)).toEqual(["body.password"]);
      expect(Date.now() - started).toBeLessThan(1000);
      const huge = await self.send(
        "/auth/register",
        jsonRequest({ ...newAccount(), password: "p".repeat(1 << 20) }),
      );
      await expectProblem(huge, 413, "PAYLOAD_TOO_LARGE");
    });

    it("malformed JSON, a non-JSON body and a missing body", async () => {
      await expectProblem(await self.send("/auth/register", jsonRequest("{")), 400, "MALFORMED_JSON");
      const form = await self.send("/auth/register", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "username=a",
      });
      await expectProblem(form, 415, "UNSUPPORTED_MEDIA_TYPE");
      const empty = await self.send("/auth/register", {
        method: "POST",
        headers: { "content-type": "application/json" },
      });
      await expectProblem(empty, 400);
    });
  });

  describe("duplicates (enumeration)", () => {
    it("a taken username or e-mail, in any case, is the same 409 without saying which", async () => {
      const { account } = await register(self.send);
      const sameUsername = await self.send(
        "/auth/register",
        jsonRequest(newAccount({ username: account.username.toUpperCase() })),
      );
      const sameEmail = await self.send(
        "/auth/register",
        jsonRequest(newAccount({ email: ` ${account.email.toUpperCase()} ` })),
      );
      const bodies = [];
      for (const response of [sameUsername, sameEmail]) {
        const { requestId: _requestId, ...problem } = await expectProblem(response, 409, "CONFLICT");
        expect(JSON.stringify(problem)).not.toContain(account.username);
        expect(JSON.stringify(problem)).not.toContain(account.email);
        bodies.push(problem);
      }
      expect(bodies[0]).toEqual(bodies[1]);
      expect(bodies[0]!.detail).toBe("An account with this username or e-mail address already exists");
    });
  });
});
