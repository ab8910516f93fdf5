import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { RefreshTokenRepository } from "../../src/features/accounts/sessions/repository";
import { SingleUseTokenRepository } from "../../src/features/accounts/single-use-tokens/repository";
import { TenantRepository } from "../../src/features/tenants/repository";
import { UserRepository } from "../../src/features/users/repository";
import { ManualClock } from "../../src/platform/clock";
import { cryptoRandom } from "../../src/platform/random";
import { describeOnEachDialect, unique } from "../helpers/dialects";
import { expectIndexedOnly, recordingDatabase } from "../helpers/query-plans";
import { insertUser } from "../helpers/users";

/**
 * The queries of every hot path use an index on both dialects, so they stay flat as tables grow
 * (the scale bench measures it; this test says why). A path added to the service adds a case here.
 */
describeOnEachDialect("hot-path query plans", (db) => {
  const at = new Date(Date.UTC(2026, 0, 1));

  async function expectPlan(
    label: string,
    run: (recorded: ReturnType<typeof recordingDatabase>["db"]) => Promise<unknown>,
  ) {
    const recording = recordingDatabase(db());
    await run(recording.db);
    await expectIndexedOnly(db(), recording.queries, label);
  }

  it("the check itself sees a query that reads the whole table", async () => {
    const { db: recorded, queries } = recordingDatabase(db());
    await recorded.all(sql`SELECT id FROM users WHERE name = ${unique("n")}`);
    await expect(expectIndexedOnly(db(), queries, "unindexed")).rejects.toThrow(/unindexed/);
  });

  it("login and /auth/me: users by login name, by id; the tenants of a user", async () => {
    const userId = await insertUser(db());
    await expectPlan("users.findByLogin", (recorded) =>
      new UserRepository(recorded).findByLogin(unique("who")),
    );
    await expectPlan("users.findById", (recorded) => new UserRepository(recorded).findById(userId));
    await expectPlan("tenants.slugsForUser", (recorded) =>
      new TenantRepository(recorded, new ManualClock(at), cryptoRandom).slugsForUser(userId),
    );
  });

  it("refresh and logout: a token by id, rotation, family and user revocation", async () => {
    const userId = await insertUser(db());
    const repository = (recorded: typeof db extends () => infer D ? D : never) =>
      new RefreshTokenRepository(recorded);
    await expectPlan("refreshTokens.findById", (recorded) =>
      repository(recorded).findById(`rtk_${unique()}`),
    );
    await expectPlan("refreshTokens.rotate", (recorded) =>
      repository(recorded).rotate(
        { id: `rtk_${unique()}`, tokenHash: unique("h") },
        {
          id: `rtk_${unique()}`,
          tokenHash: unique("h"),
          expiresAt: at,
          ip: null,
          userAgent: null,
          createdAt: at,
        },
      ),
    );
    await expectPlan("refreshTokens.revokeFamily", (recorded) =>
      repository(recorded).revokeFamily(`rtk_${unique()}`, "logout", at),
    );
    await expectPlan("refreshTokens.revokeFamilyOf", (recorded) =>
      repository(recorded).revokeFamilyOf(`rtk_${unique()}`, unique("h"), "logout", at),
    );
    await expectPlan("refreshTokens.revokeAllForUser", (recorded) =>
      recorded.run(repository(recorded).revokeAllForUserStatement(userId, "logout_all", at)),
    );
  });

  it("password reset and e-mail verification: a token by hash, consuming it", async () => {
    for (const table of ["password_resets", "verification_tokens"] as const) {
      await expectPlan(`${table}.findByHash`, (recorded) =>
        new SingleUseTokenRepository(recorded, table).findByHash(unique("h")),
      );
      await expectPlan(`${table}.consume`, (recorded) =>
        new SingleUseTokenRepository(recorded, table).consume(unique("h"), at),
      );
    }
  });
});
