import { type Argon2Params, argon2idHash, argon2idVerify } from "./argon2";
import type { RandomSource } from "./random";

/** OWASP's minimum for Argon2id; configuration may raise these, never lower them. */
export const MIN_ARGON2_PARAMS: Argon2Params = { memoryKib: 19456, iterations: 2, parallelism: 1 };

/**
 * The floor of the test environment (ENVIRONMENT=test), Argon2's own (RFC 9106: m ≥ 8·p KiB, t ≥ 1):
 * the suite hashes a password at every register and login, and at OWASP's cost those hashes were
 * most of its time. Tests whose subject is the cost set the production parameters themselves.
 */
export const TEST_MIN_ARGON2_PARAMS: Argon2Params = { memoryKib: 8, iterations: 1, parallelism: 1 };

/** The least Argon2id cost an environment accepts: OWASP's minimum everywhere but under test. */
export function minArgon2Params(environment: string): Argon2Params {
  return environment === "test" ? TEST_MIN_ARGON2_PARAMS : MIN_ARGON2_PARAMS;
}

export interface PasswordVerification {
  valid: boolean;
  /** The stored hash used other parameters than the current ones: re-hash on successful login. */
  needsRehash: boolean;
}

/**
 * Hashes and verifies passwords as Argon2id PHC strings.
 *
 * @example
 * const hasher = new PasswordHasher(config.passwordHash, random);
 * const stored = hasher.hash("correct horse");
 * hasher.verify(stored, "correct horse"); // { valid: true, needsRehash: false }
 */
export class PasswordHasher {
  readonly params: Argon2Params;

  /** `minimum` is OWASP's unless the environment says otherwise (`minArgon2Params`). */
  constructor(
    params: Argon2Params,
    private readonly random: RandomSource,
    minimum: Argon2Params = MIN_ARGON2_PARAMS,
  ) {
    if (
      params.memoryKib < minimum.memoryKib ||
      params.iterations < minimum.iterations ||
      params.parallelism < minimum.parallelism
    ) {
      const { memoryKib: m, iterations: t, parallelism: p } = minimum;
      throw new Error(`Argon2id parameters below the minimum (m=${m}, t=${t}, p=${p})`);
    }
    this.params = params;
  }

  /** A PHC string of `password` under the current parameters, or under `params` when given. */
  hash(password: string, params: Argon2Params = this.params): string {
    return argon2idHash(password, this.random.bytes(16), params);
  }

  verify(encoded: string, password: string): PasswordVerification {
    const valid = argon2idVerify(encoded, password);
    return { valid, needsRehash: valid && !this.usesCurrentParams(encoded) };
  }

  private usesCurrentParams(encoded: string): boolean {
    const params = argon2ParamsOf(encoded);
    return (
      params?.memoryKib === this.params.memoryKib &&
      params.iterations === this.params.iterations &&
      params.parallelism === this.params.parallelism
    );
  }
}

/** The Argon2id parameters of a PHC string (or of its `$argon2id$v=19$m=…,t=…,p=…` prefix). */
export function argon2ParamsOf(encoded: string): Argon2Params | undefined {
  const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)(?:\$|$)/.exec(encoded);
  if (!match) return undefined;
  const [, m, t, p] = match.map(Number);
  return { memoryKib: m!, iterations: t!, parallelism: p! };
}
