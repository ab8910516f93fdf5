/**
 * A bounded map whose entries are good for a while: `get` answers only while the entry is younger
 * than the lifetime the caller asks for, and drops it after. For per-isolate caches that must
 * outlive a request; the oldest entry goes first when full.
 *
 * @example
 * const cache = new ExpiringCache<string>(1000);
 * cache.set("key", "value", now);
 * cache.get("key", now + 4_000, 5_000); // "value"; undefined from now + 5_000
 */
export class ExpiringCache<V> {
  readonly #entries = new Map<string, { value: V; storedAtMs: number }>();

  constructor(private readonly maxEntries: number) {}

  /** The value stored under `key` less than `ttlMs` before `nowMs`; never with a clock gone back. */
  get(key: string, nowMs: number, ttlMs: number): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    const age = nowMs - entry.storedAtMs;
    if (age >= 0 && age < ttlMs) return entry.value;
    this.#entries.delete(key);
    return undefined;
  }

  set(key: string, value: V, nowMs: number): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, storedAtMs: nowMs });
    if (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  /** Drops every entry whose value matches. */
  deleteWhere(matches: (value: V) => boolean): void {
    for (const [key, entry] of this.#entries) if (matches(entry.value)) this.#entries.delete(key);
  }
}
