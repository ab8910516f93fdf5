import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { InviteQuota } from "../../src/durable-objects/invite-quota";
import { DAY_MS } from "../../src/platform/clock";

// 10:00 UTC, fourteen hours before a day boundary, in the future so that the cleanup alarm (set on
// the injected timeline) does not fire while a test runs.
const MORNING = Date.UTC(2030, 2, 10, 10);
let counter = 0;
const quota = () => env.INVITE_QUOTA.getByName(`unit-${counter++}`);

describe("InviteQuota (daily cap Durable Object)", () => {
  it("approves exactly `limit` a day, then refuses with the time to the next UTC midnight", async () => {
    const stub = quota();
    const decisions = [];
    for (let i = 0; i < 5; i++) decisions.push(await stub.reserve(5, MORNING + i));
    expect(decisions.map((d) => [d.allowed, d.used, d.remaining])).toEqual([
      [true, 1, 4],
      [true, 2, 3],
      [true, 3, 2],
      [true, 4, 1],
      [true, 5, 0],
    ]);
    expect(await stub.reserve(5, MORNING + 10)).toEqual({
      allowed: false,
      used: 5,
      limit: 5,
      remaining: 0,
      retryAfterMs: 14 * 3_600_000 - 10,
    });
  });

  it("gives exactly `limit` approvals to fifty concurrent reservations", async () => {
    const stub = quota();
    const decisions = await Promise.all(Array.from({ length: 50 }, () => stub.reserve(5, MORNING)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
  });

  it("starts from zero at the UTC day boundary of the injected clock, not before", async () => {
    const stub = quota();
    const midnight = Math.ceil(MORNING / DAY_MS) * DAY_MS;
    for (let i = 0; i < 2; i++) await stub.reserve(2, midnight - 1000);
    expect((await stub.reserve(2, midnight - 1)).allowed).toBe(false);
    expect(await stub.reserve(2, midnight)).toMatchObject({ allowed: true, used: 1 });
  });

  it("gives a slot back on release, the same day only, never below zero", async () => {
    const stub = quota();
    await stub.reserve(1, MORNING);
    expect((await stub.reserve(1, MORNING)).allowed).toBe(false);
    await stub.release(MORNING + DAY_MS);
    expect((await stub.reserve(1, MORNING)).allowed).toBe(false);
    await stub.release(MORNING);
    await stub.release(MORNING);
    expect(await stub.usage(1, MORNING)).toEqual({ used: 0, remaining: 1 });
    expect((await stub.reserve(1, MORNING)).allowed).toBe(true);
  });

  it("sets its cleanup alarm a day after the counted day ended; the alarm forgets the issuer", async () => {
    const stub = quota();
    await stub.reserve(3, MORNING);
    const alarm = await runInDurableObject(stub, (_: InviteQuota, state) => state.storage.getAlarm());
    expect(alarm).toBe((Math.floor(MORNING / DAY_MS) + 2) * DAY_MS);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.usage(3, MORNING)).toEqual({ used: 0, remaining: 3 });
  });
});
