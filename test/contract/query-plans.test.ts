import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { RefreshTokenRepository } from "../../src/features/accounts/sessions/repository";
import { SingleUseTokenRepository } from "../../src/features/accounts/single-use-tokens/repository";
import { ApiTokenRepository } from "../../src/features/api-tokens/repository";
import { AuditChainRepository } from "../../src/features/audit/chain-repository";
import { AuditLogRepository } from "../../src/features/audit/repository";
import { InviteRepository } from "../../src/features/invites/repository";
import { TenantRepository } from "../../src/features/tenants/repository";
import { UserRepository } from "../../src/features/users/repository";
import { CLEANUP_STEPS } from "../../src/jobs/cleanup/registry";
import { ManualClock } from "../../src/platform/clock";
import { cryptoRandom } from "../../src/platform/random";
import { describeOnEachDialect, unique } from "../helpers/dialects";
import { expectIndexedOnly, expectPlanUses, recordingDatabase } from "../helpers/query-plans";
import { insertUser } from "../helpers/users";

/**
 * The queries of every hot path use an index on both dialects, so they stay flat as tables grow
 * (the scale bench measures it; this test says why). A path added to the service adds a case here.
 */
describeOnEachDialect("hot-path query plans", (db) => {
  const at = new Date(Date.UTC(2026, 0, 1));

  /** No full scan in any query `run` makes; and, given `index`, that index is what they read. */
  async function expectPlan(
    label: string,
    run: (recorded: ReturnType<typeof recordingDatabase>["db"]) => Promise<unknown>,
    index?: string,
  ) {
    const recording = recordingDatabase(db());
    await run(recording.db);
    await expectIndexedOnly(db(), recording.queries, label);
    if (index) await expectPlanUses(db(), recording.queries, index, label);
  }

  it("the check itself sees a query that reads the whole table", async () => {
    const { db: recorded, queries } = recordingDatabase(db());
    await recorded.all(sql`SELECT id FROM users WHERE name = ${unique("n")}`);
    await expect(expectIndexedOnly(db(), queries, "unindexed")).rejects.toThrow(/unindexed/);
  });

  it("login and /auth/me: users by login name, by e-mail, by id; the tenants of a user", async () => {
    const userId = await insertUser(db());
    await expectPlan("users.findByLogin (username)", (recorded) =>
      new UserRepository(recorded).findByLogin(unique("who")),
    );
    await expectPlan("users.findByLogin (e-mail)", (recorded) =>
      new UserRepository(recorded).findByLogin(`${unique("who")}@example.com`),
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
    // Logout: not refresh_tokens_revoked_at_idx for `revoked_at IS NULL` (every live token).
    await expectPlan(
      "refreshTokens.revokeFamilyOf",
      (recorded) => repository(recorded).revokeFamilyOf(`rtk_${unique()}`, unique("h"), "logout", at),
      "refresh_tokens_family_idx",
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

  it("API-token authentication: a token by hash with its owner, last-used touch, revocation by hash", async () => {
    const repository = (recorded: ReturnType<typeof db>) => new ApiTokenRepository(recorded);
    await expectPlan("apiTokens.findByHash", (recorded) => repository(recorded).findByHash(unique("h")));
    await expectPlan("apiTokens.touchLastUsed", (recorded) =>
      repository(recorded).touchLastUsed(`tok_${unique()}`, at),
    );
    await expectPlan("apiTokens.revokeByHash", (recorded) =>
      repository(recorded).revokeByHash(unique("h"), "leaked", at),
    );
  });

  it("invite validation and use: an invite by code hash, by id", async () => {
    await expectPlan("invites.findByCodeHash", (recorded) =>
      new InviteRepository(recorded).findByCodeHash(unique("h")),
    );
    await expectPlan("invites.findById", (recorded) =>
      new InviteRepository(recorded).findById(`inv_${unique()}`),
    );
  });

  it("audit: a row written once per target, a target's history, the sealer's backlog", async () => {
    const entry = {
      id: `aud_${unique()}`,
      event: "invite.used",
      result: "success" as const,
      reason: null,
      actorId: null,
      targetType: "invite",
      targetId: `inv_${unique()}`,
      tenantId: null,
      ip: null,
      userAgent: null,
      requestId: null,
      clientRequestId: null,
      metadata: {},
      createdAt: at,
    };
    // Not audit_logs_event_idx: every row of the event (every invite ever used).
    await expectPlan(
      "auditLogs.insertStatement (once)",
      (recorded) => recorded.run(new AuditLogRepository(recorded).insertStatement(entry, { once: true })),
      "audit_logs_target_idx",
    );
    await expectPlan("auditLogs.listByTarget", (recorded) =>
      new AuditLogRepository(recorded).listByTarget("invite", entry.targetId),
    );
    await expectPlan("auditChain.unsealed", (recorded) => new AuditChainRepository(recorded).unsealed(10));
  });

  it("cron cleanup: every step's batch finds its due rows by an index", async () => {
    for (const step of CLEANUP_STEPS) {
      // "Now" is the epoch, so the cutoff is never after it: the plan is what is checked, and no row
      // of another test file (PostgreSQL is shared by the run) is deleted.
      await expectPlan(`cleanup ${step.name}`, (recorded) => step.runBatch(recorded, 0, 10));
    }
  });
});
