/** The most keys a throttle remembers; forgetting one early only allows one more write. */
const MAX_KEYS = 1000;

/**
 * "At most once per interval" per key, per isolate: `last_used_at` writes and repeated audit rows of
 * the same failing token.
 */
export class IsolateThrottle {
  readonly #last = new Map<string, number>();

  /** True, and remembers `nowMs`, when `key` was not let through in the last `intervalMs`. */
  take(key: string, nowMs: number, intervalMs: number): boolean {
    const last = this.#last.get(key);
    if (last !== undefined && nowMs >= last && nowMs - last < intervalMs) return false;
    this.#last.delete(key);
    this.#last.set(key, nowMs);
    if (this.#last.size > MAX_KEYS) {
      const oldest = this.#last.keys().next().value;
      if (oldest !== undefined) this.#last.delete(oldest);
    }
    return true;
  }
}

/** This isolate's throttle: module state on purpose, it must outlive a request. */
export const isolateThrottle = new IsolateThrottle();
