import { DurableObject } from "cloudflare:workers";

/** What a rate-limit check answers; the middleware turns it into headers or a 429. */
export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Milliseconds until the full budget is back. */
  resetAfterMs: number;
  /** Milliseconds to wait before a retry can succeed (0 when allowed). */
  retryAfterMs: number;
}

/**
 * One object per limited key (policy + client or identifier). GCRA: the object keeps one number,
 * the theoretical arrival time (TAT); a request is allowed when the TAT stays within one period of
 * now. Exact (no window-edge bursts), O(1) storage, and an alarm deletes the state once idle.
 */
export class RateLimiter extends DurableObject<Env> {
  async check(limit: number, periodMs: number, nowMs: number, cost = 1): Promise<RateLimitDecision> {
    const interval = periodMs / limit;
    const stored = (await this.ctx.storage.get<number>("tat")) ?? nowMs;
    const tat = Math.max(stored, nowMs);
    const newTat = tat + interval * cost;
    const allowAt = newTat - periodMs;
    if (nowMs < allowAt) {
      return {
        allowed: false,
        limit,
        remaining: 0,
        resetAfterMs: Math.ceil(tat - nowMs),
        retryAfterMs: Math.ceil(allowAt - nowMs),
      };
    }
    await this.ctx.storage.put("tat", newTat);
    await this.ctx.storage.setAlarm(Date.now() + Math.ceil(newTat - nowMs) + 1000);
    return {
      allowed: true,
      limit,
      remaining: Math.max(0, Math.floor((periodMs - (newTat - nowMs)) / interval)),
      resetAfterMs: Math.ceil(newTat - nowMs),
      retryAfterMs: 0,
    };
  }

  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }
}
