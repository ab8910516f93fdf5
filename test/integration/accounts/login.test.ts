import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createD1Database } from "../../../src/db/d1";
import { UserRepository } from "../../../src/features/users/repository";
import { PasswordHasher } from "../../../src/platform/password";
import { cryptoRandom } from "../../../src/platform/random";
import {
  asClient,
  auditRows,
  createHarness,
  decodeJwt,
  expectInvalidFields,
  expectProblem,
  jsonRequest,
  newAccount,
  register,
  type TokenPairBody,
  viaSelf,
} from "../../helpers/accounts";
import { PRODUCTION_PASSWORD_COST } from "../../helpers/password-cost";

// A client IP of this file's own: test files share one D1, and audit rows are read per client.
const self = asClient(viaSelf);

const loginWith = (body: unknown) => self.send("/auth/login", jsonRequest(body));

describe("POST /auth/login", () => {
  let account: ReturnType<typeof newAccount>;
  let userId: string;

  beforeAll(async () => {
    ({ account, userId } = await register(self.send, newAccount({ name: "Ana Souza" })));
  });

  it("signs in by username or e-mail, trimmed and in any case", async () => {
    for (const identifier of [
      account.username,
      account.email,
      `  ${account.username.toUpperCase()}  `,
      account.email.toUpperCase(),
    ]) {
      const response = await loginWith({ identifier, password: account.password });
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("no-store");
      const body = (await response.json()) as TokenPairBody;
      expect(body.tokenType).toBe("Bearer");
      expect(decodeJwt(body.accessToken).payload).toMatchObject({ sub: userId, user_name: "Ana Souza" });
    }
  });

  it("accepts twoFactorCode and ignores it while the account has no second factor", async () => {
    const response = await loginWith({
      identifier: account.username,
      password: account.password,
      twoFactorCode: "123456",
    });
    expect(response.status).toBe(200);
  });

  it("signs the initial admin in with seed 002's development defaults", async () => {
    const response = await loginWith({ identifier: "admin", password: "admin" });
    expect(response.status).toBe(200);
    const { payload } = decodeJwt(((await response.json()) as TokenPairBody).accessToken);
    expect(payload).toMatchObject({
      email: "admin@example.com",
      roles: ["root"],
      institutions: ["default"],
    });
  });

  describe("failures never reveal whether the account exists", () => {
    const strip = async (response: Response) => {
      const { requestId: _requestId, ...problem } = await expectProblem(response, 401, "INVALID_CREDENTIALS");
      expect(response.headers.get("www-authenticate")).toBe('Bearer realm="edge-auth"');
      return problem;
    };

    it("unknown account, wrong password and disabled account get identical responses", async () => {
      const disabled = await register(self.send);
      await new UserRepository(createD1Database(env.DB)).setStatus(disabled.userId, "disabled", new Date());

      const unknown = await strip(await loginWith({ identifier: "nobody-here", password: account.password }));
      const unknownEmail = await strip(
        await loginWith({ identifier: "nobody@example.com", password: "x".repeat(9) }),
      );
      const wrong = await strip(
        await loginWith({ identifier: account.username, password: `${account.password}!` }),
      );
      const off = await strip(
        await loginWith({ identifier: disabled.account.username, password: disabled.account.password }),
      );
      expect(unknown).toEqual(wrong);
      expect(unknownEmail).toEqual(wrong);
      expect(off).toEqual(wrong);
    });

    // That an unknown account takes as long as a real one is timed in dummy-hash.test.ts: the
    // dummy's cost follows the whole users table, which needs storage of its own for that.
  });

  it("re-hashes on login when the stored hash used other Argon2id parameters", async () => {
    // Signs in at wrangler.toml's cost: the test project's own is far cheaper (vitest.config.mts).
    const production = createHarness(PRODUCTION_PASSWORD_COST);
    const loginWith = (body: unknown) => production.send("/auth/login", jsonRequest(body));
    const users = new UserRepository(createD1Database(env.DB));
    const old = new PasswordHasher({ memoryKib: 19456, iterations: 3, parallelism: 1 }, cryptoRandom);
    const legacy = newAccount();
    const id = `usr_legacy${Date.now()}`;
    await users.create({
      id,
      username: legacy.username,
      email: legacy.email,
      passwordHash: old.hash(legacy.password),
      name: "Legacy",
      role: "usuario",
      status: "active",
      createdAt: new Date(),
    });
    expect((await loginWith({ identifier: legacy.username, password: legacy.password })).status).toBe(200);
    const rehashed = (await users.findById(id))!.passwordHash;
    expect(rehashed).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect((await loginWith({ identifier: legacy.username, password: legacy.password })).status).toBe(200);
  });

  describe("validation", () => {
    it.each([
      ["missing identifier", { password: "something1" }, "body.identifier"],
      ["blank identifier", { identifier: "   ", password: "something1" }, "body.identifier"],
      ["overlong identifier", { identifier: "a".repeat(255), password: "something1" }, "body.identifier"],
      ["missing password", { identifier: "someone" }, "body.password"],
      ["empty password", { identifier: "someone", password: "" }, "body.password"],
      ["password over the byte cap", { identifier: "someone", password: "p".repeat(2000) }, "body.password"],
      ["password not a string", { identifier: "someone", password: 12345678 }, "body.password"],
      [
        "empty twoFactorCode",
        { identifier: "someone", password: "something1", twoFactorCode: "" },
        "body.twoFactorCode",
      ],
    ])("%s → 400", async (_label, body, field) => {
      expect(await expectInvalidFields(await loginWith(body))).toContain(field);
    });
  });

  it("audits every attempt with its real reason, and never the password", async () => {
    const rows = await auditRows(self.ip);
    const logins = rows.filter((row) => row.event === "auth.login");
    const reasons = new Set(logins.map((row) => row.reason));
    expect(reasons).toEqual(new Set([null, "unknown_user", "bad_password", "disabled"]));
    for (const row of logins) {
      expect(row.request_id).toBeTruthy();
      if (row.reason === "unknown_user") expect(row.actor_id).toBeNull();
    }
    const everything = JSON.stringify(rows);
    expect(everything).not.toContain(account.password);
    expect(everything).not.toContain("whatever123");
    expect(everything).not.toContain("eyJ");
  });
});
