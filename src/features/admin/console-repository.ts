import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../../db";
import { DAY_MS } from "../../platform/clock";

/** What the users page adds to each user: two-factor on or off and the last sign-in. */
export interface UserActivity {
  twoFactorOn: boolean;
  lastSignInAt: Date | null;
}

/** The invite events the usage page counts per day. */
export const USAGE_SERIES = ["created", "used", "revoked", "validation_failed"] as const;
/** One of `USAGE_SERIES`. */
export type UsageSeries = (typeof USAGE_SERIES)[number];

/** One UTC day of invite activity. */
export interface UsageDay {
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  counts: Record<UsageSeries, number>;
}

/** Which audit rows make each series. */
const SERIES_EVENTS: Record<UsageSeries, { event: string; result: "success" | "failure" }> = {
  created: { event: "invite.create", result: "success" },
  used: { event: "invite.use", result: "success" },
  revoked: { event: "invite.revoke", result: "success" },
  validation_failed: { event: "invite.validate", result: "failure" },
};

/**
 * The console's read-only aggregates, on D1 or PostgreSQL: figures no API route returns, computed
 * from the rows the features already write (the audit log, `two_factor`), so no feature has a
 * second bookkeeping of its own to keep in step.
 */
export class ConsoleRepository {
  constructor(private readonly db: Database) {}

  /** Two-factor state and last successful sign-in (API login or page) of each of `userIds`. */
  async activityOf(userIds: readonly string[]): Promise<Map<string, UserActivity>> {
    const activity = new Map<string, UserActivity>(
      userIds.map((id) => [id, { twoFactorOn: false, lastSignInAt: null }]),
    );
    if (userIds.length === 0) return activity;
    const ids = sql.join(
      userIds.map((id) => sql`${id}`),
      sql`, `,
    );
    const [factors, signIns] = await Promise.all([
      this.db.all<{ user_id: string }>(
        sql`SELECT user_id FROM two_factor WHERE enabled_at IS NOT NULL AND user_id IN (${ids})`,
      ),
      this.db.all<{ target_id: string; last_at: number }>(sql`
        SELECT target_id, MAX(created_at) AS last_at FROM audit_logs
        WHERE target_type = 'user' AND target_id IN (${ids})
          AND event IN ('auth.login', 'web.sign_in') AND result = 'success'
        GROUP BY target_id`),
    ]);
    for (const row of factors) activity.get(row.user_id)!.twoFactorOn = true;
    for (const row of signIns) activity.get(row.target_id)!.lastSignInAt = new Date(Number(row.last_at));
    return activity;
  }

  /**
   * Invite activity per UTC day over the `days` days ending with `now`'s day, oldest first, every
   * day present (zeros included). `tenantsOf`: only rows of the tenants this user belongs to
   * (absent: every tenant, for root).
   */
  async dailyInviteActivity(now: Date, days: number, tenantsOf?: string): Promise<UsageDay[]> {
    const lastDay = Math.floor(now.getTime() / DAY_MS);
    const firstDay = lastDay - days + 1;
    const pairs = Object.values(SERIES_EVENTS).map(
      ({ event, result }) => sql`(event = ${event} AND result = ${result})`,
    );
    const scope: SQL = tenantsOf
      ? sql`AND tenant_id IN (SELECT tenant_id FROM tenant_members WHERE user_id = ${tenantsOf})`
      : sql.empty();
    // A literal divisor: PostgreSQL matches the GROUP BY expression to the SELECT one only when
    // both are the same text, which two bound parameters are not.
    const perDay = sql.raw(`created_at / ${DAY_MS}`);
    const rows = await this.db.all<{ day: number; event: string; result: string; total: number }>(sql`
      SELECT ${perDay} AS day, event, result, COUNT(*) AS total FROM audit_logs
      WHERE event IN ('invite.create', 'invite.use', 'invite.revoke', 'invite.validate')
        AND created_at >= ${firstDay * DAY_MS} AND (${sql.join(pairs, sql` OR `)}) ${scope}
      GROUP BY ${perDay}, event, result`);
    const result: UsageDay[] = [];
    for (let day = firstDay; day <= lastDay; day++) {
      result.push({
        day: new Date(day * DAY_MS).toISOString().slice(0, 10),
        counts: { created: 0, used: 0, revoked: 0, validation_failed: 0 },
      });
    }
    for (const row of rows) {
      const entry = result[Number(row.day) - firstDay];
      const series = USAGE_SERIES.find(
        (name) => SERIES_EVENTS[name].event === row.event && SERIES_EVENTS[name].result === row.result,
      );
      if (entry && series) entry.counts[series] += Number(row.total);
    }
    return result;
  }
}
