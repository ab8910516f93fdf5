/**
 * Profile mode (`PROFILE=on`, development only): where one request's time goes, by part, written
 * as a `Server-Timing` header. The ports a request uses (database, rate limiter, JWT signer,
 * password hasher, audit writes, metrics, logger) are wrapped by `instrument` only when profiling
 * is on, so a request without it runs the unwrapped objects and pays nothing.
 *
 * Times come from the injected `now` (the request context passes `performance.now`). Under
 * `wrangler dev` it advances during CPU work; deployed Workers freeze it between I/O events, which
 * is one more reason production refuses the mode.
 */

/** The parts a request is broken into; `total` and `setup` are measured by the request context. */
export const PROFILE_PARTS = [
  "setup",
  "d1",
  "audit",
  "rate-limit",
  "durable-object",
  "rsa-sign",
  "rsa-verify",
  "argon2",
  "metrics",
  "log",
] as const;
export type ProfilePart = (typeof PROFILE_PARTS)[number];

interface PartTotal {
  ms: number;
  calls: number;
}

/** Collects the time spent in each part of one request. */
export class Profiler {
  private readonly parts = new Map<ProfilePart, PartTotal>();

  constructor(private readonly now: () => number) {}

  /**
   * Runs `work`, adding its time (to its promise's settling, when it returns one) to `part`.
   * Concurrent calls of one part add up, so a part can exceed the request's wall time.
   */
  measure<T>(part: ProfilePart, work: () => T): T {
    const started = this.now();
    const result = work();
    if (result instanceof Promise) {
      return result.finally(() => this.add(part, this.now() - started)) as T;
    }
    this.add(part, this.now() - started);
    return result;
  }

  /** The `Server-Timing` value: every part that ran (`dur` in ms, `desc` its call count), then `total`. */
  serverTiming(totalMs: number): string {
    const entries = PROFILE_PARTS.flatMap((part) => {
      const total = this.parts.get(part);
      return total ? [`${part};dur=${total.ms.toFixed(3)};desc="${total.calls}"`] : [];
    });
    entries.push(`total;dur=${totalMs.toFixed(3)}`);
    return entries.join(", ");
  }

  private add(part: ProfilePart, ms: number): void {
    const total = this.parts.get(part) ?? { ms: 0, calls: 0 };
    total.ms += ms;
    total.calls += 1;
    this.parts.set(part, total);
  }
}

/**
 * `target` with the named methods timed under their part (other members pass through untouched).
 * Every method runs on the target itself, so classes with private fields keep working.
 *
 * @example const db = instrument(createDatabase(env, config), profiler, { all: "d1", first: "d1" });
 */
export function instrument<T extends object>(
  target: T,
  profiler: Profiler,
  parts: Partial<Record<keyof T, ProfilePart>>,
): T {
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== "function") return value;
      const part = parts[property as keyof T];
      // Bound to the target: a class's private fields are not reachable through the proxy.
      if (!part) return value.bind(object);
      return (...args: unknown[]) => profiler.measure(part, () => value.apply(object, args));
    },
  });
}
