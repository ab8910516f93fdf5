import { type Argon2Params, argon2idHash, argon2idVerify } from "./argon2";
import type { RandomSource } from "./random";

/** OWASP's minimum for Argon2id; configuration may raise these, never lower them. */
export const MIN_ARGON2_PARAMS: Argon2Params = { memoryKib: 19456, iterations: 2, parallelism: 1 };

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

  constructor(
    params: Argon2Params,
    private readonly random: RandomSource,
  ) {
    if (
      params.memoryKib < MIN_ARGON2_PARAMS.memoryKib ||
      params.iterations < MIN_ARGON2_PARAMS.iterations ||
      params.parallelism < MIN_ARGON2_PARAMS.parallelism
    ) {
      throw new Error("Argon2id parameters below the OWASP minimum (m=19456, t=2, p=1)");
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
