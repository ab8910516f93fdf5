import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import type { Database } from "../../src/db/database";
import { ConsoleRepository } from "../../src/features/admin/console-repository";
import type { AuditLog } from "../../src/features/audit/audit-log";
import { AuditLogRepository } from "../../src/features/audit/repository";
import { DAY_MS } from "../../src/platform/clock";
import { describeOnEachDialect, unique } from "../helpers/dialects";
import { insertUser } from "../helpers/users";

const NOW = new Date(Date.UTC(2026, 5, 15, 12));
const daysAgo = (days: number, hour = 10) => new Date(Date.UTC(2026, 5, 15 - days, hour, 0, 0));

function row(
  event: string,
  result: "success" | "failure",
  at: Date,
  extra: Partial<AuditLog> = {},
): AuditLog {
  return {
    id: `aud_${unique()}`,
    event,
    result,
    reason: null,
    actorId: null,
    targetType: null,
    targetId: null,
    tenantId: null,
    ip: null,
    userAgent: null,
    requestId: null,
    clientRequestId: null,
    metadata: {},
    createdAt: at,
    ...extra,
  };
}

async function tenantWithMember(db: Database, userId: string): Promise<string> {
  const id = `ten_${unique()}`;
  await db.run(
    sql`INSERT INTO tenants (id, slug, name, created_at) VALUES (${id}, ${unique("t")}, 'T', ${NOW.getTime()})`,
  );
  await db.run(
    sql`INSERT INTO tenant_members (user_id, tenant_id, created_at, role) VALUES (${userId}, ${id}, ${NOW.getTime()}, 'gestor')`,
  );
  return id;
}

describeOnEachDialect("ConsoleRepository", (db) => {
  const repository = () => new ConsoleRepository(db());

  it("counts invite activity per UTC day in the reader's tenants, every day present, oldest first", async () => {
    const reader = await insertUser(db());
    const tenantId = await tenantWithMember(db(), reader);
    const otherTenant = await tenantWithMember(db(), await insertUser(db()));
    const audit = new AuditLogRepository(db());
    const rows = [
      row("invite.create", "success", daysAgo(0), { tenantId }),
      row("invite.create", "success", daysAgo(0, 23), { tenantId }),
      row("invite.create", "failure", daysAgo(0), { tenantId }),
      row("invite.use", "success", daysAgo(1), { tenantId }),
      row("invite.revoke", "success", daysAgo(2), { tenantId }),
      row("invite.validate", "failure", daysAgo(2), { tenantId }),
      row("invite.validate", "success", daysAgo(2), { tenantId }),
      // Outside: another tenant, before the window, another event.
      row("invite.create", "success", daysAgo(0), { tenantId: otherTenant }),
      row("invite.create", "success", daysAgo(30), { tenantId }),
      row("auth.login", "success", daysAgo(0), { tenantId }),
    ];
    for (const entry of rows) await audit.insert(entry);

    const days = await repository().dailyInviteActivity(NOW, 30, reader);
    expect(days).toHaveLength(30);
    expect(days[0]!.day).toBe("2026-05-17");
    expect(days.at(-1)).toEqual({
      day: "2026-06-15",
      counts: { created: 2, used: 0, revoked: 0, validation_failed: 0 },
    });
    expect(days.at(-2)!.counts).toEqual({ created: 0, used: 1, revoked: 0, validation_failed: 0 });
    expect(days.at(-3)!.counts).toEqual({ created: 0, used: 0, revoked: 1, validation_failed: 1 });
    const total = days.reduce((sum, day) => sum + day.counts.created + day.counts.used, 0);
    expect(total).toBe(3);

    // Root reads every tenant: the other tenant's invite is counted too.
    const all = await repository().dailyInviteActivity(NOW, 30);
    expect(all.at(-1)!.counts.created).toBeGreaterThanOrEqual(3);
    expect(all.at(-1)!.day).toBe(
      new Date(Math.floor(NOW.getTime() / DAY_MS) * DAY_MS).toISOString().slice(0, 10),
    );
  });

  it("reports two-factor state and the last successful sign-in of each user", async () => {
    const withFactor = await insertUser(db());
    const without = await insertUser(db());
    const never = await insertUser(db());
    await db().run(sql`
      INSERT INTO two_factor (user_id, enabled_at, method, created_at, updated_at)
      VALUES (${withFactor}, ${NOW.getTime()}, 'totp', ${NOW.getTime()}, ${NOW.getTime()})`);
    await db().run(sql`
      INSERT INTO two_factor (user_id, pending_created_at, method, created_at, updated_at)
      VALUES (${without}, ${NOW.getTime()}, 'totp', ${NOW.getTime()}, ${NOW.getTime()})`);
    const audit = new AuditLogRepository(db());
    const user = (id: string) => ({ targetType: "user", targetId: id });
    await audit.insert(row("auth.login", "success", daysAgo(3), user(withFactor)));
    await audit.insert(row("web.sign_in", "success", daysAgo(1), user(withFactor)));
    await audit.insert(row("auth.login", "failure", daysAgo(0), user(withFactor)));
    await audit.insert(row("auth.login", "success", daysAgo(2), user(without)));

    const activity = await repository().activityOf([withFactor, without, never]);
    expect(activity.get(withFactor)).toEqual({ twoFactorOn: true, lastSignInAt: daysAgo(1) });
    expect(activity.get(without)).toEqual({ twoFactorOn: false, lastSignInAt: daysAgo(2) });
    expect(activity.get(never)).toEqual({ twoFactorOn: false, lastSignInAt: null });
    expect((await repository().activityOf([])).size).toBe(0);
  });
});
