import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { FLUSH_DELAY_MS, RateLimiter } from "../../src/durable-objects/rate-limiter";

const T0 = Date.UTC(2026, 0, 1);
let counter = 0;
const limiter = () => env.RATE_LIMITER.getByName(`unit-${counter++}`);

describe("RateLimiter (GCRA Durable Object)", () => {
  it("allows a burst of exactly `limit`, then one per period/limit", async () => {
    const stub = limiter();
    const remaining: number[] = [];
    for (let i = 0; i < 5; i++) {
      const decision = await stub.check(5, 60_000, T0);
      expect(decision.allowed).toBe(true);
      remaining.push(decision.remaining);
    }
    expect(remaining).toEqual([4, 3, 2, 1, 0]);
    expect(await stub.check(5, 60_000, T0)).toEqual({
      allowed: false,
      limit: 5,
      remaining: 0,
      resetAfterMs: 60_000,
      retryAfterMs: 12_000,
    });
    expect((await stub.check(5, 60_000, T0 + 11_999)).allowed).toBe(false);
    expect((await stub.check(5, 60_000, T0 + 12_000)).allowed).toBe(true);
    expect((await stub.check(5, 60_000, T0 + 12_000)).allowed).toBe(false);
  });

  it("never lets twice the limit through around a window edge", async () => {
    const stub = limiter();
    let allowed = 0;
    // 10 per minute; hammer every 100 ms for two minutes: at most 10 + 120 s / 6 s = 30.
    for (let t = 0; t <= 120_000; t += 100) if ((await stub.check(10, 60_000, T0 + t)).allowed) allowed++;
    expect(allowed).toBe(30);
  });

  it("allows the limit-th request even when period/limit is not exact in floating point", async () => {
    const stub = limiter();
    for (let i = 0; i < 7; i++) expect((await stub.check(7, 1000, T0)).allowed).toBe(true);
    expect((await stub.check(7, 1000, T0)).allowed).toBe(false);
    const third = limiter();
    for (let i = 0; i < 3; i++) expect((await third.check(3, 1000, T0)).allowed).toBe(true);
  });

  it("a refused request consumes nothing; a clock going backwards refunds nothing", async () => {
    const stub = limiter();
    for (let i = 0; i < 2; i++) await stub.check(2, 10_000, T0);
    for (let i = 0; i < 10; i++) expect((await stub.check(2, 10_000, T0 + 1000)).allowed).toBe(false);
    expect((await stub.check(2, 10_000, T0 + 5000)).allowed).toBe(true);
    expect((await stub.check(2, 10_000, T0 - 60_000)).allowed).toBe(false);
  });

  it("refund gives back what an allowed check took, never more than a full budget", async () => {
    const stub = limiter();
    for (let i = 0; i < 3; i++) expect((await stub.check(3, 60_000, T0)).allowed).toBe(true);
    expect((await stub.check(3, 60_000, T0)).allowed).toBe(false);
    await stub.refund(3, 60_000, T0);
    expect(await stub.check(3, 60_000, T0)).toMatchObject({ allowed: true, remaining: 0 });
    for (let i = 0; i < 10; i++) await stub.refund(3, 60_000, T0 + 1000);
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push((await stub.check(3, 60_000, T0 + 1000)).allowed);
    expect(decisions).toEqual([true, true, true, false]);
    // Nothing to refund: a no-op that creates no state.
    const fresh = limiter();
    await fresh.refund(3, 60_000, T0);
    expect((await fresh.check(3, 60_000, T0)).remaining).toBe(2);
  });

  it("costs more than one unit when asked, and rejects impossible arguments", async () => {
    const stub = limiter();
    expect((await stub.check(4, 4000, T0, 3)).remaining).toBe(1);
    expect((await stub.check(4, 4000, T0, 2)).allowed).toBe(false);
    // Called inside the object, not over RPC, so the rejection stays in this test.
    const errors = await runInDurableObject(stub, (instance: RateLimiter) =>
      Promise.all(
        [
          () => instance.check(0, 1000, T0),
          () => instance.check(3, 1000, T0, 4),
          () => instance.check(2.5, 1000, T0),
        ].map((call) =>
          call().then(
            () => undefined,
            (reason: unknown) => reason,
          ),
        ),
      ),
    );
    for (const error of errors) expect(error).toBeInstanceOf(RangeError);
  });

  it("keeps the time already owed when the configured limit changes", async () => {
    const stub = limiter();
    await stub.check(5, 60_000, T0);
    await stub.check(5, 60_000, T0);
    // 24 s owed; at 10 per minute a request costs 6 s, so 60 - 24 - 6 = 30 s, i.e. 5 more.
    expect((await stub.check(10, 60_000, T0)).remaining).toBe(5);
  });

  it("an alarm writes the state, keeps a busy key (moving itself later) and deletes an idle one", async () => {
    const stub = limiter();
    await stub.check(3, 60_000, T0);
    await stub.check(3, 60_000, T0);
    expect(await storedState(stub)).toBeUndefined();
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const idleAt = (await storedState(stub))!.idleAt;
    expect(idleAt).toBeGreaterThan(Date.now());
    expect(await alarmAt(stub)).toBe(idleAt + 1000);
    // Nothing new to write: the alarm only moves itself to when the key is idle.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await storedState(stub))?.idleAt).toBe(idleAt);
    expect(await alarmAt(stub)).toBe(idleAt + 1000);

    // 2 per 2 s: idle (a full budget again) 1 s after one request, by the object's own clock.
    const short = limiter();
    await short.check(2, 2000, T0);
    expect(await runDurableObjectAlarm(short)).toBe(true);
    expect(await storedState(short)).toBeDefined();
    await scheduler.wait(1100);
    expect(await runDurableObjectAlarm(short)).toBe(true);
    expect(await storedState(short)).toBeUndefined();
    expect(await alarmAt(short)).toBeNull();
    // Forgotten in memory too: a full budget again (the stale TAT would leave 0).
    expect((await short.check(2, 2000, T0)).remaining).toBe(1);
  });
});

describe("RateLimiter persistence (write-behind)", () => {
  it("decides from memory and writes within FLUSH_DELAY_MS: one alarm for many changes", async () => {
    const stub = limiter();
    const before = Date.now();
    await stub.check(3, 60_000, T0);
    const flushAt = await alarmAt(stub);
    expect(flushAt).toBeGreaterThanOrEqual(before + FLUSH_DELAY_MS);
    expect(flushAt).toBeLessThanOrEqual(Date.now() + FLUSH_DELAY_MS);
    await stub.check(3, 60_000, T0);
    await stub.check(3, 60_000, T0);
    // Later changes do not push the write later, and nothing is written per request.
    expect(await alarmAt(stub)).toBe(flushAt);
    expect(await storedState(stub)).toBeUndefined();
    expect((await stub.check(3, 60_000, T0)).allowed).toBe(false);
  });

  it("a new instance (after eviction or restart) reads what the alarm wrote", async () => {
    const stub = limiter();
    for (let i = 0; i < 3; i++) await stub.check(3, 60_000, T0);
    // Before the write, a new instance has forgotten exactly these charges: the bounded loss.
    expect(await inNewInstance(stub, (fresh) => fresh.check(3, 60_000, T0))).toMatchObject({
      allowed: true,
      remaining: 2,
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await inNewInstance(stub, (fresh) => fresh.check(3, 60_000, T0))).toEqual({
      allowed: false,
      limit: 3,
      remaining: 0,
      resetAfterMs: 60_000,
      retryAfterMs: 20_000,
    });
    // A change after that write is written by the next alarm, within FLUSH_DELAY_MS again.
    expect((await stub.check(3, 60_000, T0 + 20_000)).allowed).toBe(true);
    expect(await alarmAt(stub)).toBeLessThanOrEqual(Date.now() + FLUSH_DELAY_MS);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await inNewInstance(stub, (fresh) => fresh.check(3, 60_000, T0 + 20_000))).allowed).toBe(false);
  });

  it("refunds are written like charges", async () => {
    const stub = limiter();
    for (let i = 0; i < 3; i++) await stub.check(3, 60_000, T0);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await stub.refund(3, 60_000, T0);
    await stub.refund(3, 60_000, T0);
    expect(await alarmAt(stub)).toBeLessThanOrEqual(Date.now() + FLUSH_DELAY_MS);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await inNewInstance(stub, (fresh) => fresh.check(3, 60_000, T0))).toMatchObject({
      allowed: true,
      remaining: 1,
    });
  });
});

/** The state as stored (what a new instance would read), not the one in memory. */
function storedState(stub: DurableObjectStub<RateLimiter>) {
  return runInDurableObject(stub, (_: RateLimiter, ctx) =>
    ctx.storage.kv.get<{ tat: string; idleAt: number }>("state"),
  );
}

function alarmAt(stub: DurableObjectStub<RateLimiter>) {
  return runInDurableObject(stub, (_: RateLimiter, ctx) => ctx.storage.getAlarm());
}

/** Runs `call` on a second instance over the same storage: the object as a restart would find it. */
function inNewInstance<T>(stub: DurableObjectStub<RateLimiter>, call: (fresh: RateLimiter) => Promise<T>) {
  return runInDurableObject(stub, (_: RateLimiter, ctx) => call(new RateLimiter(ctx, env)));
}
