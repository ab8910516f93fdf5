import { DurableObject } from "cloudflare:workers";

/** What a rate-limit check answers; the middleware turns it into headers or a 429. */
export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  /** Requests that could still be made right now. */
  remaining: number;
  /** Milliseconds until the full budget is back. */
  resetAfterMs: number;
  /** Milliseconds to wait before a retry can succeed (0 when allowed). */
  retryAfterMs: number;
}

/** The stored state: the TAT in units of 1/limit ms (exact integers), and the limit it is scaled by. */
interface State {
  tat: string;
  limit: number;
  /** When (this object's clock, epoch ms) the budget is full again and the state can go. */
  idleAt: number;
}

/** The alarm deletes a key's state this long after it is back to a full budget. */
const CLEANUP_GRACE_MS = 1000;

/**
 * One object per limited key (policy + client IP or hashed identifier). GCRA: the object keeps one
 * number, the theoretical arrival time (TAT). With `limit` per `periodMs` each request advances
 * the TAT by `periodMs / limit`, and is allowed while the TAT stays within one period of now: a
 * burst of `limit`, then one every `periodMs / limit`, with no window edge that lets twice the
 * limit through. A refused request changes nothing.
 *
 * Exactness: time is counted in 1/limit ms as a BigInt, so `periodMs / limit` is the integer
 * `periodMs` and no floating-point rounding ever refuses the limit-th request or allows one more.
 * Concurrency: a Durable Object handles one call at a time and the read-decide-write below is
 * synchronous (SQLite-backed KV), so fifty racing requests see fifty ordered checks. Time comes
 * from the caller's injectable clock; a clock going backwards never refunds budget.
 * Cleanup: an alarm deletes the state once it is back to "full budget", so idle keys cost nothing.
 * The alarm is set once, not per request (one storage write per allowed request, not two): when it
 * fires early because later requests pushed `idleAt`, it moves itself to `idleAt`.
 */
export class RateLimiter extends DurableObject<Env> {
  #alarmSet = false;

  async check(limit: number, periodMs: number, nowMs: number, cost = 1): Promise<RateLimitDecision> {
    if (!(Number.isSafeInteger(limit) && limit > 0 && Number.isSafeInteger(periodMs) && periodMs > 0)) {
      throw new RangeError("check: limit and periodMs must be positive integers");
    }
    if (!(Number.isSafeInteger(cost) && cost > 0 && cost <= limit) || !Number.isFinite(nowMs)) {
      throw new RangeError("check: cost must be an integer between 1 and limit, nowMs a time");
    }
    const scale = BigInt(limit);
    const period = BigInt(periodMs) * scale;
    const now = BigInt(Math.floor(nowMs)) * scale;
    const kv = this.ctx.storage.kv;
    const tat = maxOf(rescaled(kv.get<State>("state"), limit), now);
    const newTat = tat + BigInt(periodMs) * BigInt(cost);
    const toMs = (units: bigint) => Number((units + scale - 1n) / scale);
    if (newTat - period > now) {
      return {
        allowed: false,
        limit,
        remaining: 0,
        resetAfterMs: toMs(tat - now),
        retryAfterMs: toMs(newTat - period - now),
      };
    }
    const resetAfterMs = toMs(newTat - now);
    const idleAt = Date.now() + resetAfterMs;
    kv.put<State>("state", { tat: newTat.toString(), limit, idleAt });
    if (!this.#alarmSet) {
      if ((await this.ctx.storage.getAlarm()) === null)
        await this.ctx.storage.setAlarm(idleAt + CLEANUP_GRACE_MS);
      this.#alarmSet = true;
    }
    return {
      allowed: true,
      limit,
      remaining: Number((period - (newTat - now)) / BigInt(periodMs)),
      resetAfterMs,
      retryAfterMs: 0,
    };
  }

  /**
   * Gives back `cost` units an allowed `check` took: the TAT moves back by as much, never before
   * now (so a refund never grants more than a full budget). For policies that count only failures:
   * every attempt is charged before it runs, so concurrent attempts cannot overshoot the limit,
   * and the ones that turn out not to be failures are refunded. Nothing to refund is a no-op.
   */
  async refund(limit: number, periodMs: number, nowMs: number, cost = 1): Promise<void> {
    const kv = this.ctx.storage.kv;
    const state = kv.get<State>("state");
    const tat = rescaled(state, limit);
    if (!state || tat === undefined || !Number.isSafeInteger(cost) || cost < 1) return;
    const now = BigInt(Math.floor(nowMs)) * BigInt(limit);
    const refunded = maxOf(tat - BigInt(periodMs) * BigInt(cost), now);
    // idleAt stays: the state is then kept a little longer than needed, never deleted too early.
    kv.put<State>("state", { tat: refunded.toString(), limit, idleAt: state.idleAt });
  }

  override async alarm(): Promise<void> {
    const idleAt = this.ctx.storage.kv.get<State>("state")?.idleAt ?? 0;
    if (idleAt > Date.now()) {
      await this.ctx.storage.setAlarm(idleAt + CLEANUP_GRACE_MS);
      return;
    }
    this.#alarmSet = false;
    await this.ctx.storage.deleteAll();
  }
}

/** The stored TAT in units of the current limit (a changed limit rescales it, rounding up). */
function rescaled(state: State | undefined, limit: number): bigint | undefined {
  if (!state) return undefined;
  const tat = BigInt(state.tat);
  if (state.limit === limit) return tat;
  const scaled = tat * BigInt(limit);
  const divisor = BigInt(state.limit);
  return (scaled + divisor - 1n) / divisor;
}

function maxOf(value: bigint | undefined, floor: bigint): bigint {
  return value === undefined || value < floor ? floor : value;
}
