import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { RateLimiter } from "../../src/durable-objects/rate-limiter";

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

  it("an alarm keeps a busy key (moving itself later) and deletes an idle one", async () => {
    const stub = limiter();
    await stub.check(3, 60_000, T0);
    await stub.check(3, 60_000, T0);
    const state = () =>
      runInDurableObject(stub, (_: RateLimiter, ctx) => ctx.storage.kv.get<{ idleAt: number }>("state"));
    const alarm = () => runInDurableObject(stub, (_: RateLimiter, ctx) => ctx.storage.getAlarm());
    const idleAt = (await state())!.idleAt;
    expect(await alarm()).toBeGreaterThan(Date.now());

    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await state())?.idleAt).toBe(idleAt);
    expect(await alarm()).toBe(idleAt + 1000);

    // Time passes (the object's own clock): make the budget full again, then let the alarm run.
    await runInDurableObject(stub, (_: RateLimiter, ctx) =>
      ctx.storage.kv.put("state", { ...ctx.storage.kv.get<object>("state"), idleAt: Date.now() - 1 }),
    );
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await state()).toBeUndefined();
    expect((await stub.check(3, 60_000, T0)).remaining).toBe(2);
  });
});
