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
interface StoredState {
  tat: string;
  limit: number;
  /** When (this object's clock, epoch ms) the budget is full again and the state can go. */
  idleAt: number;
}

/** The state this object decides from: `StoredState` with the TAT as a BigInt. */
interface State {
  tat: bigint;
  limit: number;
  idleAt: number;
}

/**
 * How long a change may live only in memory before the alarm writes it: the most history an object
 * that ends abnormally (a deploy, a crash, the runtime moving it) can forget. Idle eviction forgets
 * nothing: it comes after seconds of inactivity, and the alarm has written the state by then.
 */
export const FLUSH_DELAY_MS = 1000;

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
 * Concurrency: a Durable Object handles one call at a time and the read-decide-update below runs
 * without an await, so fifty racing requests see fifty ordered checks. Time comes from the caller's
 * injectable clock; a clock going backwards never refunds budget.
 *
 * Persistence (write-behind): the state lives in memory, read from storage once per instance. The
 * first change after a write sets the alarm `FLUSH_DELAY_MS` ahead (one storage write per interval,
 * not one per request, so most answers are neither delayed by the output gate nor billed a write);
 * the alarm writes the state. An object that ends without its alarm running forgets at most the
 * changes of that interval (docs/operating.md, "Rate-limit settings").
 * Cleanup: the same alarm, once nothing is left to write, moves itself to when the budget is full
 * again and then deletes the state, so idle keys cost nothing.
 */
export class RateLimiter extends DurableObject<Env> {
  /** `undefined` until read from storage; `null` when the key has a full budget (no state). */
  #state: State | null | undefined;
  /** Whether `#state` has changes the storage lacks. */
  #dirty = false;
  /** Whether the alarm is set to write them within `FLUSH_DELAY_MS`. */
  #flushScheduled = false;

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
    const tat = maxOf(rescaled(this.#current(), limit), now);
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
    this.#state = { tat: newTat, limit, idleAt: Date.now() + resetAfterMs };
    await this.#changed();
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
    const state = this.#current();
    const tat = rescaled(state, limit);
    if (!state || tat === undefined || !Number.isSafeInteger(cost) || cost < 1) return;
    const now = BigInt(Math.floor(nowMs)) * BigInt(limit);
    const refunded = maxOf(tat - BigInt(periodMs) * BigInt(cost), now);
    // idleAt stays: the state is then kept a little longer than needed, never deleted too early.
    this.#state = { tat: refunded, limit, idleAt: state.idleAt };
    await this.#changed();
  }

  /** Writes pending changes; deletes the state once the budget is full again, or comes back then. */
  override async alarm(): Promise<void> {
    this.#flushScheduled = false;
    const state = this.#current();
    if (!state || state.idleAt <= Date.now()) {
      this.#state = null;
      this.#dirty = false;
      await this.ctx.storage.deleteAll();
      return;
    }
    if (this.#dirty) {
      this.ctx.storage.kv.put<StoredState>("state", { ...state, tat: state.tat.toString() });
      this.#dirty = false;
    }
    // A change before this alarm is set moves it back to FLUSH_DELAY_MS (the later setAlarm wins).
    await this.ctx.storage.setAlarm(state.idleAt + CLEANUP_GRACE_MS);
  }

  #current(): State | null {
    if (this.#state === undefined) {
      const stored = this.ctx.storage.kv.get<StoredState>("state");
      this.#state = stored ? { ...stored, tat: BigInt(stored.tat) } : null;
    }
    return this.#state;
  }

  /** Marks the state changed and, unless the alarm is already due to write it, sets the alarm. */
  async #changed(): Promise<void> {
    this.#dirty = true;
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    try {
      await this.ctx.storage.setAlarm(Date.now() + FLUSH_DELAY_MS);
    } catch (error) {
      // The next change tries again; until then the change lives in memory only.
      this.#flushScheduled = false;
      throw error;
    }
  }
}

/** The stored TAT in units of the current limit (a changed limit rescales it, rounding up). */
function rescaled(state: State | null, limit: number): bigint | undefined {
  if (!state) return undefined;
  if (state.limit === limit) return state.tat;
  const scaled = state.tat * BigInt(limit);
  const divisor = BigInt(state.limit);
  return (scaled + divisor - 1n) / divisor;
}

function maxOf(value: bigint | undefined, floor: bigint): bigint {
  return value === undefined || value < floor ? floor : value;
}
