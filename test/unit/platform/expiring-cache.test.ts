import { describe, expect, it } from "vitest";
import { IsolateThrottle } from "../../../src/features/api-tokens/throttle";
import { ExpiringCache } from "../../../src/platform/expiring-cache";

describe("ExpiringCache", () => {
  it("serves an entry for less than the lifetime asked for, never after, never with a clock gone back", () => {
    const cache = new ExpiringCache<string>(10);
    cache.set("a", "A", 1000);
    expect(cache.get("a", 1000, 5000)).toBe("A");
    expect(cache.get("a", 5999, 5000)).toBe("A");
    expect(cache.get("a", 6000, 5000)).toBeUndefined();
    // Dropped once expired: a later read with a longer lifetime does not bring it back.
    expect(cache.get("a", 1000, 60_000)).toBeUndefined();
    cache.set("b", "B", 10_000);
    expect(cache.get("b", 9_999, 5000)).toBeUndefined();
    cache.set("c", "C", 0);
    expect(cache.get("c", 0, 0)).toBeUndefined();
  });

  it("deletes by key and by value", () => {
    const cache = new ExpiringCache<{ owner: string }>(10);
    for (const [key, owner] of [
      ["a", "x"],
      ["b", "x"],
      ["c", "y"],
    ] as const) {
      cache.set(key, { owner }, 0);
    }
    cache.delete("a");
    cache.deleteWhere((value) => value.owner === "y");
    expect(["a", "b", "c"].map((key) => cache.get(key, 1, 5000)?.owner)).toEqual([undefined, "x", undefined]);
  });

  it("keeps at most maxEntries, dropping the oldest first; a rewrite makes an entry young again", () => {
    const cache = new ExpiringCache<number>(3);
    for (const [index, key] of ["a", "b", "c"].entries()) cache.set(key, index, 0);
    cache.set("a", 9, 0);
    cache.set("d", 3, 0);
    expect(["a", "b", "c", "d"].map((key) => cache.get(key, 1, 5000))).toEqual([9, undefined, 2, 3]);
  });
});

describe("IsolateThrottle", () => {
  it("lets a key through once per interval", () => {
    const throttle = new IsolateThrottle();
    expect(throttle.take("k", 0, 60_000)).toBe(true);
    expect(throttle.take("k", 59_999, 60_000)).toBe(false);
    expect(throttle.take("other", 1, 60_000)).toBe(true);
    expect(throttle.take("k", 60_000, 60_000)).toBe(true);
    expect(throttle.take("k", 60_001, 60_000)).toBe(false);
    // A clock that went back does not lock the key out.
    expect(throttle.take("k", 10, 60_000)).toBe(true);
  });
});
