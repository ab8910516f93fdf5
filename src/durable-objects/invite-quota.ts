import { DurableObject } from "cloudflare:workers";

export interface QuotaDecision {
  allowed: boolean;
  used: number;
  limit: number;
  /** Seconds until the quota resets (next 00:00 UTC). */
  retryAfterSeconds: number;
}

const DAY_MS = 86_400_000;

/**
 * The daily invite cap of one issuer (one object per user). A Durable Object runs one request at a
 * time and storage writes are ordered, so count-and-increment is atomic: fifty concurrent creates
 * get exactly `limit` approvals. The day is the UTC calendar day of `nowMs`.
 */
export class InviteQuota extends DurableObject<Env> {
  async consume(limit: number, nowMs: number): Promise<QuotaDecision> {
    const day = Math.floor(nowMs / DAY_MS);
    const retryAfterSeconds = Math.ceil(((day + 1) * DAY_MS - nowMs) / 1000);
    const storedDay = await this.ctx.storage.get<number>("day");
    const used = storedDay === day ? ((await this.ctx.storage.get<number>("used")) ?? 0) : 0;
    if (used >= limit) return { allowed: false, used, limit, retryAfterSeconds };
    await this.ctx.storage.put({ day, used: used + 1 });
    await this.ctx.storage.setAlarm(Date.now() + retryAfterSeconds * 1000);
    return { allowed: true, used: used + 1, limit, retryAfterSeconds: 0 };
  }

  /** Gives one back when the invite could not be created after all (same day only). */
  async release(nowMs: number): Promise<void> {
    const day = Math.floor(nowMs / DAY_MS);
    if ((await this.ctx.storage.get<number>("day")) !== day) return;
    const used = (await this.ctx.storage.get<number>("used")) ?? 0;
    await this.ctx.storage.put("used", Math.max(0, used - 1));
  }

  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }
}
