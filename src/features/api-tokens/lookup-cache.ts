import type { ApiTokenWithOwner } from "./api-token";

/** The most entries an isolate keeps; the oldest goes first. About a kilobyte each. */
const MAX_ENTRIES = 1000;

/**
 * Positive API-token lookups, per isolate, for a few seconds: a busy token costs one database read
 * per isolate per `ttlMs` instead of one per request. Only live tokens of active owners are stored,
 * and a hit is still checked for expiry, so the only staleness is this: a token revoked, an owner
 * demoted or disabled in another isolate keeps working here for at most `ttlMs`. This isolate
 * forgets a token the moment it revokes it or changes its owner's role.
 */
export class ApiTokenLookupCache {
  readonly #entries = new Map<string, { token: ApiTokenWithOwner; storedAtMs: number }>();

  /** The token cached under `hash` if it was stored less than `ttlMs` ago (by `nowMs`). */
  get(hash: string, nowMs: number, ttlMs: number): ApiTokenWithOwner | undefined {
    const entry = this.#entries.get(hash);
    if (!entry) return undefined;
    const age = nowMs - entry.storedAtMs;
    // A negative age is a clock that went back: trust nothing it says about freshness.
    if (age >= 0 && age < ttlMs) return entry.token;
    this.#entries.delete(hash);
    return undefined;
  }

  set(hash: string, token: ApiTokenWithOwner, nowMs: number): void {
    this.#entries.delete(hash);
    this.#entries.set(hash, { token, storedAtMs: nowMs });
    if (this.#entries.size > MAX_ENTRIES) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  forgetHash(hash: string): void {
    this.#entries.delete(hash);
  }

  /** Forgets the token with this id (a revocation knows the id, not the hash). */
  forgetToken(id: string): void {
    this.#forgetWhere((token) => token.id === id);
  }

  /** Forgets every token of a user whose role or status changed. */
  forgetUser(userId: string): void {
    this.#forgetWhere((token) => token.userId === userId);
  }

  #forgetWhere(matches: (token: ApiTokenWithOwner) => boolean): void {
    for (const [hash, entry] of this.#entries) if (matches(entry.token)) this.#entries.delete(hash);
  }
}

/**
 * "At most once per interval" per key, per isolate: `last_used_at` writes and repeated audit rows of
 * the same failing token. Bounded like the cache; forgetting a key early only allows one more write.
 */
export class IsolateThrottle {
  readonly #last = new Map<string, number>();

  /** True, and remembers `nowMs`, when `key` was not let through in the last `intervalMs`. */
  take(key: string, nowMs: number, intervalMs: number): boolean {
    const last = this.#last.get(key);
    if (last !== undefined && nowMs >= last && nowMs - last < intervalMs) return false;
    this.#last.delete(key);
    this.#last.set(key, nowMs);
    if (this.#last.size > MAX_ENTRIES) {
      const oldest = this.#last.keys().next().value;
      if (oldest !== undefined) this.#last.delete(oldest);
    }
    return true;
  }
}

/** This isolate's cache and throttle: module state on purpose, since they must outlive a request. */
export const isolateApiTokenState = {
  cache: new ApiTokenLookupCache(),
  throttle: new IsolateThrottle(),
};
