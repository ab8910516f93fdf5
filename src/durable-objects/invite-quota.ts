import { DurableObject } from "cloudflare:workers";
import { DAY_MS } from "../platform/clock";

/** What a reservation answers; the invite service turns a refusal into a 429. */
export interface QuotaDecision {
  allowed: boolean;
  /** Invites counted for the day, this one included when allowed. */
  used: number;
  limit: number;
  /** Still available today after this decision. */
  remaining: number;
  /** Milliseconds until the quota resets (the next 00:00 UTC of the caller's clock); 0 when allowed. */
  retryAfterMs: number;
}

/** The stored state: the UTC day (days since the epoch) and how many invites it has counted. */
interface DayCount {
  day: number;
  used: number;
}

/**
 * The daily invite cap of one issuer (one object per user), in `RateLimiter`'s style: the state is
 * one synchronous SQLite-backed KV value, read, decided and written without an await, and a Durable
 * Object handles one call at a time, so fifty concurrent reservations get exactly `limit`
 * approvals. Time is only the caller's injected clock (`nowMs`): the day is the UTC calendar day of
 * `nowMs`. A new day starts from zero, whatever was stored.
 *
 * Cleanup: an alarm deletes the state a full day after its day ended on that same timeline (which
 * in production is the platform's), so an issuer who stopped inviting costs nothing.
 */
export class InviteQuota extends DurableObject<Env> {
  /** Takes one invite of today's `limit`, or refuses (changing nothing) when none is left. */
  async reserve(limit: number, nowMs: number): Promise<QuotaDecision> {
    if (!(Number.isSafeInteger(limit) && limit > 0) || !Number.isFinite(nowMs)) {
      throw new RangeError("reserve: limit must be a positive integer, nowMs a time");
    }
    const day = Math.floor(nowMs / DAY_MS);
    const kv = this.ctx.storage.kv;
    const stored = kv.get<DayCount>("count");
    const used = stored?.day === day ? stored.used : 0;
    if (used >= limit) {
      return { allowed: false, used, limit, remaining: 0, retryAfterMs: (day + 1) * DAY_MS - nowMs };
    }
    kv.put<DayCount>("count", { day, used: used + 1 });
    if (stored?.day !== day) await this.ctx.storage.setAlarm((day + 2) * DAY_MS);
    return { allowed: true, used: used + 1, limit, remaining: limit - used - 1, retryAfterMs: 0 };
  }

  /** Gives one back when the invite could not be created after all (same day only). */
  async release(nowMs: number): Promise<void> {
    const day = Math.floor(nowMs / DAY_MS);
    const kv = this.ctx.storage.kv;
    const stored = kv.get<DayCount>("count");
    if (stored?.day !== day || stored.used === 0) return;
    kv.put<DayCount>("count", { day, used: stored.used - 1 });
  }

  /** How many invites today has counted, without taking one (for showing the remaining quota). */
  async usage(limit: number, nowMs: number): Promise<{ used: number; remaining: number }> {
    const stored = this.ctx.storage.kv.get<DayCount>("count");
    const used = stored?.day === Math.floor(nowMs / DAY_MS) ? stored.used : 0;
    return { used, remaining: Math.max(0, limit - used) };
  }

  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }
}
