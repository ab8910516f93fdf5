import {
  createExecutionContext,
  createScheduledController,
  env,
  waitOnExecutionContext,
} from "cloudflare:test";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createD1Database } from "../../src/db/d1";
import { RefreshTokenRepository } from "../../src/features/accounts/sessions/repository";
import {
  SingleUseTokenRepository,
  type SingleUseTokenTable,
} from "../../src/features/accounts/single-use-tokens/repository";
import { ApiTokenRepository } from "../../src/features/api-tokens/repository";
import { generateApiToken } from "../../src/features/api-tokens/token-format";
import { AuditLogRepository } from "../../src/features/audit/repository";
import { EmailDeliveryRepository } from "../../src/features/email/delivery-repository";
import { CaptureTransport } from "../../src/features/email/transports/capture";
import { InviteRepository } from "../../src/features/invites/repository";
import { TenantRepository } from "../../src/features/tenants/repository";
import { TenantSessionRepository } from "../../src/features/tenants/session-repository";
import { TwoFactorCodeRepository } from "../../src/features/two-factor/code-repository";
import { TwoFactorLockoutRepository } from "../../src/features/two-factor/lockout-repository";
import { PageSessionRepository } from "../../src/features/web/page-session-repository";
import { WebhookDeliveryRepository } from "../../src/features/webhooks/deliveries";
import worker from "../../src/index";
import { CLEANUP_STEPS } from "../../src/jobs/cleanup/registry";
import { DAY_MS, ManualClock } from "../../src/platform/clock";
import { createLogger } from "../../src/platform/logger";
import { cryptoRandom } from "../../src/platform/random";
import { insertUser } from "../helpers/users";

// The registry's steps on the real tables, seeded through the real repositories, run by the
// Worker's scheduled handler at a fixed time. D1 only: the PostgreSQL of the test run is shared
// by every test file, and this registry would delete their rows too; the steps' SQL is the
// `deleteOlderThan` of test/integration/cleanup.test.ts, which runs on PostgreSQL as well.

const NOW = Date.UTC(2026, 5, 1, 3, 0);
const HOUR_MS = 3_600_000;
const at = (offset: number) => new Date(NOW + offset);
const db = createD1Database(env.DB);

afterEach(() => {
  vi.restoreAllMocks();
});

async function runCron(): Promise<Record<string, unknown>[]> {
  const logs = vi.spyOn(console, "log").mockImplementation(() => {});
  const vars = { ...env, LOG_LEVEL: "info" };
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: NOW, cron: "*/15 * * * *" }), vars, ctx);
  await waitOnExecutionContext(ctx);
  const entries = logs.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);
  logs.mockRestore();
  return entries;
}

async function ids(table: string): Promise<string[]> {
  const rows = await db.all<{ id: string }>(sql`SELECT id FROM ${sql.identifier(table)} ORDER BY id`);
  return rows.map((row) => row.id);
}

/** One refresh-token family of one token, as a login stores it. */
async function login(refreshTokens: RefreshTokenRepository, userId: string, id: string, expiresIn: number) {
  await refreshTokens.insert({
    id,
    userId,
    tokenHash: `hash-${id}`,
    familyId: id,
    parentId: null,
    sessionStartedAt: at(expiresIn - 14 * DAY_MS),
    expiresAt: at(expiresIn),
    ip: null,
    userAgent: null,
    createdAt: at(expiresIn - 14 * DAY_MS),
  });
}

async function seedRefreshTokens(userId: string) {
  const refreshTokens = new RefreshTokenRepository(db);
  // Rotated 9 days ago into a live child: reuse detection's evidence until the parent expires.
  await login(refreshTokens, userId, "rt_a_rotated", 4 * DAY_MS);
  await refreshTokens.rotate(
    { id: "rt_a_rotated", tokenHash: "hash-rt_a_rotated" },
    {
      id: "rt_a_live",
      tokenHash: "hash-rt_a_live",
      expiresAt: at(5 * DAY_MS),
      ip: null,
      userAgent: null,
      createdAt: at(-9 * DAY_MS),
    },
  );
  await login(refreshTokens, userId, "rt_b_expired", -1);
  await login(refreshTokens, userId, "rt_c_expires_now", 0);
  // Rotated, then expired: its token is refused by its `exp` before the row would be read.
  await login(refreshTokens, userId, "rt_d_rotated_expired", -HOUR_MS);
  await refreshTokens.rotate(
    { id: "rt_d_rotated_expired", tokenHash: "hash-rt_d_rotated_expired" },
    {
      id: "rt_d_child",
      tokenHash: "hash-rt_d_child",
      expiresAt: at(3 * DAY_MS),
      ip: null,
      userAgent: null,
      createdAt: at(-2 * DAY_MS),
    },
  );
  await login(refreshTokens, userId, "rt_e_revoked_8d", 6 * DAY_MS);
  await refreshTokens.revokeFamily("rt_e_revoked_8d", "logout", at(-8 * DAY_MS));
  await login(refreshTokens, userId, "rt_f_revoked_6d", 8 * DAY_MS);
  await refreshTokens.revokeFamily("rt_f_revoked_6d", "reuse_detected", at(-6 * DAY_MS));
}

async function seedSingleUseTokens(table: SingleUseTokenTable, userId: string) {
  const tokens = new SingleUseTokenRepository(db, table);
  const issue = (id: string, expiresIn: number) =>
    tokens.issue({
      id,
      userId,
      email: "maria@example.com",
      tokenHash: `hash-${table}-${id}`,
      expiresAt: at(expiresIn),
      createdAt: at(expiresIn - HOUR_MS),
    });
  await issue("t_expired_8d", -8 * DAY_MS);
  await issue("t_expired_6d", -6 * DAY_MS);
  await issue("t_live", HOUR_MS);
}

async function seedApiTokens(userId: string) {
  const tokens = new ApiTokenRepository(db);
  const insert = async (id: string, expiresAt: Date | null) => {
    const { hash, start } = await generateApiToken(cryptoRandom);
    await tokens.insert({
      id,
      userId,
      nome: id,
      descricao: null,
      scope: "read",
      permissions: null,
      allowedIps: null,
      rateLimit: null,
      tokenHash: hash,
      tokenStart: start,
      createdAt: at(-60 * DAY_MS),
      expiresAt,
    });
  };
  await insert("tok_a_live", null);
  await insert("tok_b_expired_31d", at(-31 * DAY_MS));
  await insert("tok_c_expired_29d", at(-29 * DAY_MS));
  await insert("tok_d_revoked_31d", null);
  await tokens.revoke("tok_d_revoked_31d", { by: userId, reason: "revoked", at: at(-31 * DAY_MS) });
  await insert("tok_e_leaked_29d", at(DAY_MS));
  await tokens.revoke("tok_e_leaked_29d", { by: userId, reason: "leaked", at: at(-29 * DAY_MS) });
}

async function seedEmail() {
  const deliveries = new EmailDeliveryRepository(db);
  await deliveries.claim("evt_sent_15d", at(-15 * DAY_MS), 1);
  await deliveries.markSent("evt_sent_15d", at(-15 * DAY_MS));
  await deliveries.claim("evt_unsent_15d", at(-15 * DAY_MS), 1);
  await deliveries.claim("evt_sent_13d", at(-13 * DAY_MS), 1);
  await deliveries.markSent("evt_sent_13d", at(-13 * DAY_MS));

  const clock = new ManualClock(NOW - 8 * DAY_MS);
  const capture = new CaptureTransport(db, "test", clock, createLogger("error"));
  const email = (id: string) => ({
    id,
    from: { name: "Edge Auth", address: "no-reply@example.com" },
    to: "maria@example.com",
    subject: "s",
    text: "t",
    html: "<p>t</p>",
  });
  await capture.send(email("evt_captured_8d"));
  clock.set(NOW - 6 * DAY_MS);
  await capture.send(email("evt_captured_6d"));
}

async function seedTwoFactorCodes(userId: string) {
  const codes = new TwoFactorCodeRepository(db);
  const issue = (id: string, purpose: string, expiresIn: number) =>
    codes.issue({
      id,
      userId,
      purpose,
      codeHash: `hash-${id}`,
      expiresAt: at(expiresIn),
      createdBy: userId,
      ip: null,
      userAgent: null,
      createdAt: at(expiresIn - 300_000),
    });
  await issue("tfc_expired_2d", "a", -2 * DAY_MS);
  await issue("tfc_expired_1h", "b", -HOUR_MS);
  await issue("tfc_live", "c", 60_000);
  const lockouts = new TwoFactorLockoutRepository(db);
  await lockouts.lock(userId, at(-1));
  await lockouts.lock(await insertUser(db), at(60_000));
}

async function seedPageSessions(userId: string) {
  const sessions = new PageSessionRepository(db);
  const create = (id: string, expiresIn: number) =>
    sessions.create({
      id,
      tokenHash: `hash-${id}`,
      userId,
      stage: "signed_in",
      expiresAt: at(expiresIn),
      ip: null,
      userAgent: null,
      createdAt: at(expiresIn - HOUR_MS),
    });
  await create("pgs_expired", -1);
  await create("pgs_expires_now", 0);
  await create("pgs_live", 60_000);
}

async function seedTenantSessions(userId: string) {
  const tenant = await new TenantRepository(db, new ManualClock(NOW), cryptoRandom).create({
    slug: "cleanup-sessions",
    name: "Cleanup",
    sessionTimeoutSeconds: null,
    mfaRequired: false,
  });
  const sessions = new TenantSessionRepository(db);
  const create = (id: string, expiresIn: number) =>
    sessions.insert({
      id,
      sessionHash: `hash-${id}`,
      tenantId: tenant.id,
      userId,
      state: "active",
      expiresAt: at(expiresIn),
      ip: null,
      userAgent: null,
      tokenEpoch: 0,
      createdAt: at(expiresIn - HOUR_MS),
    });
  await create("ses_expired", -1);
  await create("ses_expires_now", 0);
  await create("ses_live", 60_000);
}

async function seedInvites(userId: string) {
  const tenants = new TenantRepository(db, new ManualClock(NOW), cryptoRandom);
  await tenants.ensure(["cleanup-org"]);
  const tenant = (await tenants.findByRef("cleanup-org"))!;
  const invites = new InviteRepository(db);
  const invite = (id: string, expiresIn: number) =>
    invites.insert({
      id,
      codeHash: `hash-${id}`,
      codePrefix: "eiv_test",
      tipoDestino: "associado",
      role: "usuario",
      tenantId: tenant.id,
      tenantSlug: tenant.slug,
      nucleos: null,
      dataExpiracao: at(expiresIn),
      createdBy: userId,
      createdAt: at(-DAY_MS),
    });
  await invite("inv_expired", -1);
  await invite("inv_expires_now", 0);
  await invite("inv_live", HOUR_MS);
  await invite("inv_used_then_expired", -HOUR_MS);
  await invites.use("inv_used_then_expired", "hash-inv_used_then_expired", {
    by: userId,
    at: at(-2 * HOUR_MS),
    ip: null,
    userAgent: null,
  });
}

async function seedWebhookDeliveries() {
  const deliveries = new WebhookDeliveryRepository(db);
  const record = (eventId: string, age: number) =>
    deliveries.record({
      eventId,
      event: "invite.used",
      subjectId: "inv_x",
      payloadSealed: "sealed",
      url: "https://hooks.example.com/",
      createdAt: at(-age),
    });
  await record("evt_31d", 31 * DAY_MS);
  await record("evt_29d", 29 * DAY_MS);
}

async function states(): Promise<Record<string, string>> {
  const rows = await db.all<{ id: string; estado: string }>(sql`SELECT id, estado FROM invites ORDER BY id`);
  return Object.fromEntries(rows.map((row) => [row.id, row.estado]));
}

describe("cron cleanup registry (D1)", () => {
  it("deletes exactly the expired and long-retired rows of every table, and nothing on a second run", async () => {
    const userId = await insertUser(db);
    await seedRefreshTokens(userId);
    await seedSingleUseTokens("password_resets", userId);
    await seedSingleUseTokens("verification_tokens", userId);
    await seedApiTokens(userId);
    await seedEmail();
    await seedTwoFactorCodes(userId);
    await seedPageSessions(userId);
    await seedTenantSessions(userId);
    await seedInvites(userId);
    await seedWebhookDeliveries();
    await new AuditLogRepository(db).insert({
      id: "aud_before_cron",
      event: "auth.login",
      result: "success",
      reason: null,
      actorId: userId,
      targetType: "user",
      targetId: userId,
      tenantId: null,
      ip: null,
      userAgent: null,
      requestId: null,
      clientRequestId: null,
      metadata: {},
      createdAt: at(-1),
    });
    const auditRows = await ids("audit_logs");

    const first = await runCron();

    expect(await ids("refresh_tokens")).toEqual([
      "rt_a_live",
      "rt_a_rotated",
      "rt_c_expires_now",
      "rt_d_child",
      "rt_f_revoked_6d",
    ]);
    expect(await ids("password_resets")).toEqual(["t_expired_6d", "t_live"]);
    expect(await ids("verification_tokens")).toEqual(["t_expired_6d", "t_live"]);
    expect(await ids("api_tokens")).toEqual(["tok_a_live", "tok_c_expired_29d", "tok_e_leaked_29d"]);
    expect(await ids("email_deliveries")).toEqual(["evt_sent_13d"]);
    expect(await ids("captured_emails")).toEqual(["evt_captured_6d"]);
    expect(await ids("two_factor_codes")).toEqual(["tfc_expired_1h", "tfc_live"]);
    expect(await ids("page_sessions")).toEqual(["pgs_expires_now", "pgs_live"]);
    expect(await ids("tenant_sessions")).toEqual(["ses_expires_now", "ses_live"]);
    const lockouts = await db.all<{ locked_until: number }>(
      sql`SELECT locked_until FROM two_factor_lockouts`,
    );
    expect(lockouts.map((row) => Number(row.locked_until))).toEqual([NOW + 60_000]);
    expect(await ids("audit_logs")).toEqual(auditRows);
    expect(await states()).toEqual({
      inv_expired: "expirado",
      inv_expires_now: "novo",
      inv_live: "novo",
      inv_used_then_expired: "usado",
    });
    const deliveries = await db.all<{ event_id: string }>(sql`SELECT event_id FROM webhook_deliveries`);
    expect(deliveries).toEqual([{ event_id: "evt_29d" }]);
    // The cron also seals the audit rows written since its last run into the hash chain.
    const unsealed = await db.all(sql`SELECT id FROM audit_logs WHERE seq IS NULL`);
    expect(unsealed).toEqual([]);
    expect(first.find((entry) => entry.msg === "audit chain sealed")).toMatchObject({
      sealed: auditRows.length,
      headSeq: auditRows.length,
    });

    const rows = (entries: Record<string, unknown>[]) =>
      Object.fromEntries(
        entries.filter((entry) => entry.msg === "cleanup step").map((entry) => [entry.step, entry.rows]),
      );
    expect(rows(first)).toEqual({
      refresh_tokens_expired: 2,
      refresh_tokens_revoked: 1,
      password_resets_expired: 1,
      verification_tokens_expired: 1,
      api_tokens_expired: 1,
      api_tokens_revoked: 1,
      two_factor_codes_expired: 1,
      two_factor_lockouts_past: 1,
      page_sessions_expired: 1,
      tenant_sessions_expired: 1,
      email_deliveries_old: 2,
      captured_emails_old: 1,
      invites_expired: 1,
      webhook_deliveries_old: 1,
    });
    expect(first.find((entry) => entry.msg === "cleanup run")).toMatchObject({
      outcome: "complete",
      rows: 16,
    });

    const second = await runCron();
    expect(Object.values(rows(second))).toEqual(CLEANUP_STEPS.map(() => 0));
    expect(await ids("refresh_tokens")).toHaveLength(5);
  });
});
