import type { RandomSource } from "./random";

export interface BackoffPolicy {
  /** Delay before the first retry, before jitter. */
  baseSeconds: number;
  /** Ceiling of the exponential delay (Queues accept at most 43,200 s). */
  maxSeconds: number;
}

/** A uniform fraction in [0, 1) from 32 random bits. */
function fraction(random: RandomSource): number {
  const [a = 0, b = 0, c = 0, d = 0] = random.bytes(4);
  const uint32 = ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
  return uint32 / 2 ** 32;
}

/**
 * Seconds to wait before retrying a Queue message that failed on delivery number `attempts`
 * (1 for the first delivery): exponential, `base · 2^(attempts−1)` capped at `max`, with "equal
 * jitter": half of it fixed, half random, so retries of many messages that failed together spread
 * out while each delay still at least half-doubles.
 *
 * @example retryDelaySeconds(3, random, { baseSeconds: 60, maxSeconds: 3600 }) // 120..240
 */
export function retryDelaySeconds(attempts: number, random: RandomSource, policy: BackoffPolicy): number {
  const exponent = Math.max(0, Math.min(attempts - 1, 30));
  const ceiling = Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** exponent);
  return Math.max(1, Math.ceil(ceiling / 2 + (fraction(random) * ceiling) / 2));
}

/**
 * Whether delivery number `attempts` is the last the Queue makes: with `max_retries = n` a message
 * is delivered at most n + 1 times, then a retry moves it to the dead-letter queue.
 */
export function isFinalAttempt(attempts: number, maxRetries: number): boolean {
  return attempts > maxRetries;
}
