import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createD1Database } from "../../../src/db/d1";
import { DummyPasswordHashes } from "../../../src/features/accounts/sessions/dummy-hash";
import { UserRepository } from "../../../src/features/users/repository";
import type { Argon2Params } from "../../../src/platform/argon2";
import { ManualClock } from "../../../src/platform/clock";
import { argon2ParamsOf, PasswordHasher } from "../../../src/platform/password";
import { cryptoRandom } from "../../../src/platform/random";
import { createHarness, jsonRequest, register } from "../../helpers/accounts";
import { unique } from "../../helpers/dialects";
import { PRODUCTION_PASSWORD_COST } from "../../helpers/password-cost";

// The cost was raised from t=2 (three stored hashes) and t=3 (one) to t=4: until those users sign
// in again, their hashes keep the old cost.
const OLD: Argon2Params = { memoryKib: 19456, iterations: 2, parallelism: 1 };
const OLDER_RAISE: Argon2Params = { memoryKib: 19456, iterations: 3, parallelism: 1 };
const CURRENT: Argon2Params = { memoryKib: 19456, iterations: 4, parallelism: 1 };

const users = new UserRepository(createD1Database(env.DB));
const passwords = new PasswordHasher(CURRENT, cryptoRandom);
const clock = new ManualClock(Date.UTC(2026, 5, 1));
const configWith = (secret: string) => ({
  encryption: { data: { current: secret, previous: [] }, totp: { current: secret, previous: [] } },
});

async function storeUserHashedWith(params: Argon2Params): Promise<void> {
  await users.create({
    id: `usr_${unique()}`,
    username: unique("u"),
    email: `${unique("e")}@example.com`,
    passwordHash: passwords.hash("a password of a dormant user", params),
    name: "Dormant",
    role: "usuario",
    status: "active",
    createdAt: clock.now(),
  });
}

const paramsOf = async (dummies: DummyPasswordHashes, identifier: string) =>
  argon2ParamsOf(await dummies.for(identifier));

describe("the dummy hash of unknown accounts", () => {
  it("follows the stored hashes' parameters, not the raised current ones, in their proportions", async () => {
    for (const params of [OLD, OLD, OLD, OLDER_RAISE]) await storeUserHashedWith(params);
    const dummies = new DummyPasswordHashes({
      users,
      passwords,
      clock,
      config: configWith("server-secret-one"),
    });

    const seen = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const params = await paramsOf(dummies, `nobody.${i}@example.com`);
      expect(params).not.toEqual(CURRENT);
      const name = JSON.stringify(params);
      seen.set(name, (seen.get(name) ?? 0) + 1);
    }
    expect([...seen.keys()].sort()).toEqual([JSON.stringify(OLD), JSON.stringify(OLDER_RAISE)].sort());
    // Three quarters of the hashes are t=2: about 225 of 300 identifiers (6 standard deviations).
    const old = seen.get(JSON.stringify(OLD))!;
    expect(old).toBeGreaterThan(180);
    expect(old).toBeLessThan(270);
  });

  it("gives one identifier the same parameters every time, on every isolate, whatever its spelling", async () => {
    const first = new DummyPasswordHashes({
      users,
      passwords,
      clock,
      config: configWith("server-secret-two"),
    });
    const again = new DummyPasswordHashes({
      users,
      passwords,
      clock,
      config: configWith("server-secret-two"),
    });
    for (let i = 0; i < 20; i++) {
      const identifier = `someone.${i}@example.com`;
      const params = await paramsOf(first, identifier);
      expect(await paramsOf(first, ` ${identifier.toUpperCase()} `)).toEqual(params);
      expect(await paramsOf(again, identifier)).toEqual(params);
    }
  });

  it("uses the current parameters while no stored hash says otherwise", async () => {
    const empty = { passwordParameterCounts: async () => [] } as unknown as UserRepository;
    const dummies = new DummyPasswordHashes({ users: empty, passwords, clock, config: configWith("s3") });
    expect(await paramsOf(dummies, "nobody@example.com")).toEqual(CURRENT);
  });
});

// Through the app at wrangler.toml's cost. Files sharing storage store hashes at the test project's
// cheap cost (vitest.config.mts), and the dummy follows the whole users table: this file has its own.
describe("POST /auth/login for an unknown account", () => {
  it("takes comparable time (a dummy Argon2id verification)", async () => {
    const production = createHarness(PRODUCTION_PASSWORD_COST);
    const { account } = await register(production.send);
    const time = async (body: unknown) => {
      const started = performance.now();
      expect((await production.send("/auth/login", jsonRequest(body))).status).toBe(401);
      return performance.now() - started;
    };
    await time({ identifier: "warm-up-unknown", password: "whatever123" });
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 5; i++) {
      unknown.push(await time({ identifier: `ghost-${i}`, password: "whatever123" }));
      wrong.push(await time({ identifier: account.username, password: "whatever123" }));
    }
    // Both are dominated by one Argon2id verification (~25 ms); without the dummy hash the
    // unknown account would answer in about a millisecond.
    expect(median(unknown)).toBeGreaterThan(median(wrong) * 0.5);
    expect(median(unknown)).toBeLessThan(median(wrong) * 2);
  });
});
