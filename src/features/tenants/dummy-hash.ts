import type { PasswordHasher } from "../../platform/password";

// One per isolate and parameter set: verifying against it costs what a real check costs.
const dummyHashes = new Map<string, string>();

/**
 * A hash to verify against when there is no account, so a refusal for an unknown e-mail takes the
 * one Argon2id verification a wrong password takes.
 */
export function dummyPasswordHash(passwords: PasswordHasher): string {
  const key = JSON.stringify(passwords.params);
  let hash = dummyHashes.get(key);
  if (!hash) {
    hash = passwords.hash("not a real password: only here to spend the time a real check takes");
    dummyHashes.set(key, hash);
  }
  return hash;
}
