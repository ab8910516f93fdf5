import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config";
import { PasswordHasher } from "../../src/platform/password";
import { cryptoRandom } from "../../src/platform/random";
import { PRODUCTION_PASSWORD_COST } from "../helpers/password-cost";

const HASHES = 8;

// The cost of a password hash where it runs, inside workerd. It is printed, never asserted: timing
// depends on the machine (`npm run bench` reports it); what is asserted is that every hash verifies.
describe("Argon2id cost inside workerd", () => {
  it("hashes and verifies at the configured parameters, printing ms per operation", () => {
    // The cost wrangler.toml commits, not the test project's cheap one: this is what `npm run bench` reads.
    const { passwordHash } = loadConfig({ ...env, ...PRODUCTION_PASSWORD_COST });
    const hasher = new PasswordHasher(passwordHash, cryptoRandom);
    const passwords = Array.from({ length: HASHES }, (_, i) => `correct horse battery ${i}`);

    // The first call instantiates the wasm module and grows its memory; a warm isolate reuses both.
    hasher.hash("warm-up");
    const hashStart = performance.now();
    const hashes = passwords.map((password) => hasher.hash(password));
    const verifyStart = performance.now();
    const results = hashes.map((encoded, i) => hasher.verify(encoded, passwords[i]!));
    const end = performance.now();

    expect(results).toEqual(passwords.map(() => ({ valid: true, needsRehash: false })));
    const { memoryKib, iterations, parallelism } = passwordHash;
    console.log(
      `argon2id m=${memoryKib},t=${iterations},p=${parallelism} in workerd: ` +
        `hash ${((verifyStart - hashStart) / HASHES).toFixed(1)} ms, ` +
        `verify ${((end - verifyStart) / HASHES).toFixed(1)} ms (mean of ${HASHES})`,
    );
  });
});
