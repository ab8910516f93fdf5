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
import { EmailDeliveryRepository } from "../../src/features/email/delivery-repository";
import { CaptureTransport } from "../../src/features/email/transports/capture";
import worker from "../../src/index";
import { CLEANUP_STEPS } from "../../src/jobs/cleanup/registry";
import { DAY_MS, ManualClock } from "../../src/platform/clock";
import { createLogger } from "../../src/platform/logger";
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

describe("cron cleanup registry (D1)", () => {
  it("deletes exactly the expired and long-retired rows of every table, and nothing on a second run", async () => {
    const userId = await insertUser(db);
    await seedRefreshTokens(userId);
    await seedSingleUseTokens("password_resets", userId);
    await seedSingleUseTokens("verification_tokens", userId);
    await seedEmail();
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
    expect(await ids("email_deliveries")).toEqual(["evt_sent_13d"]);
    expect(await ids("captured_emails")).toEqual(["evt_captured_6d"]);
    expect(await ids("audit_logs")).toEqual(auditRows);

    const rows = (entries: Record<string, unknown>[]) =>
      Object.fromEntries(
        entries.filter((entry) => entry.msg === "cleanup step").map((entry) => [entry.step, entry.rows]),
      );
    expect(rows(first)).toEqual({
      refresh_tokens_expired: 2,
      refresh_tokens_revoked: 1,
      password_resets_expired: 1,
      verification_tokens_expired: 1,
      email_deliveries_old: 2,
      captured_emails_old: 1,
    });
    expect(first.find((entry) => entry.msg === "cleanup run")).toMatchObject({
      outcome: "complete",
      rows: 8,
    });

    const second = await runCron();
    expect(Object.values(rows(second))).toEqual(CLEANUP_STEPS.map(() => 0));
    expect(await ids("refresh_tokens")).toHaveLength(5);
  });
});
