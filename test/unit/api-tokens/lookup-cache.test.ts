import { describe, expect, it } from "vitest";
import type { ApiTokenWithOwner } from "../../../src/features/api-tokens/api-token";
import { ApiTokenLookupCache, IsolateThrottle } from "../../../src/features/api-tokens/lookup-cache";

const token = (id: string, userId = "usr_a"): ApiTokenWithOwner => ({
  id,
  userId,
  nome: id,
  descricao: null,
  scope: "read",
  permissions: null,
  allowedIps: null,
  rateLimit: null,
  tokenStart: "eat_abcdef",
  createdAt: new Date(0),
  expiresAt: null,
  lastUsedAt: null,
  revokedAt: null,
  revokedBy: null,
  revokedReason: null,
  owner: { role: "usuario", status: "active" },
});

describe("ApiTokenLookupCache", () => {
  it("serves an entry for less than the TTL, never after, never with a clock gone back", () => {
    const cache = new ApiTokenLookupCache();
    cache.set("h1", token("tok_1"), 1000);
    expect(cache.get("h1", 1000, 5000)?.id).toBe("tok_1");
    expect(cache.get("h1", 5999, 5000)?.id).toBe("tok_1");
    expect(cache.get("h1", 6000, 5000)).toBeUndefined();
    // Gone once expired: a later read with a wider TTL does not bring it back.
    expect(cache.get("h1", 1000, 60_000)).toBeUndefined();
    cache.set("h2", token("tok_2"), 10_000);
    expect(cache.get("h2", 9_999, 5000)).toBeUndefined();
    cache.set("h3", token("tok_3"), 0);
    expect(cache.get("h3", 0, 0)).toBeUndefined();
  });

  it("forgets by hash, by token id and by owner", () => {
    const cache = new ApiTokenLookupCache();
    cache.set("h1", token("tok_1", "usr_a"), 0);
    cache.set("h2", token("tok_2", "usr_a"), 0);
    cache.set("h3", token("tok_3", "usr_b"), 0);
    cache.set("h4", token("tok_4", "usr_b"), 0);
    cache.forgetHash("h1");
    cache.forgetToken("tok_3");
    expect(["h1", "h2", "h3", "h4"].map((hash) => cache.get(hash, 1, 5000)?.id)).toEqual([
      undefined,
      "tok_2",
      undefined,
      "tok_4",
    ]);
    cache.forgetUser("usr_a");
    expect(cache.get("h2", 1, 5000)).toBeUndefined();
    expect(cache.get("h4", 1, 5000)?.id).toBe("tok_4");
  });

  it("keeps at most a thousand entries, dropping the oldest first", () => {
    const cache = new ApiTokenLookupCache();
    for (let index = 0; index <= 1000; index++) cache.set(`h${index}`, token(`tok_${index}`), 0);
    expect(cache.get("h0", 1, 5000)).toBeUndefined();
    expect(cache.get("h1", 1, 5000)?.id).toBe("tok_1");
    expect(cache.get("h1000", 1, 5000)?.id).toBe("tok_1000");
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
