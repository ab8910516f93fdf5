import type { Config } from "../../../config";
import type { Argon2Params } from "../../../platform/argon2";
import type { Clock } from "../../../platform/clock";
import { argon2ParamsOf, type PasswordHasher } from "../../../platform/password";
import type { UserRepository } from "../../users/repository";
import { normalizeIdentifier } from "../../users/user";

/** How long an isolate trusts its view of the stored hashes' parameters. */
const DISTRIBUTION_TTL_MS = 10 * 60_000;

interface Bucket {
  params: Argon2Params;
  /** Upper bound (exclusive) of this bucket's share of [0, total). */
  end: number;
}

// Per isolate (keyed by its configuration, which lives as long as the isolate's env): one table
// query per TTL, and one Argon2id hash per parameter set, not one per login.
const distributions = new WeakMap<object, { at: number; buckets: Bucket[]; total: number }>();
const dummyHashes = new Map<string, string>();

const key = (params: Argon2Params) => `${params.memoryKib},${params.iterations},${params.parallelism}`;

/**
 * The hash an unknown account's login is verified against, so that its answer takes as long as a
 * real account's. After the Argon2id cost is raised, stored hashes keep their old cost until each
 * user signs in again; a dummy at the new cost would then tell unknown accounts (slow) from
 * dormant real ones (fast). So the dummy's parameters follow the stored hashes: each identifier is
 * assigned one of the parameter sets in use, in proportion to how many hashes use it, by a keyed
 * hash of the identifier (HMAC with a server secret, so nobody can predict which set an unknown
 * identifier gets, and the same identifier always gets the same one, on every isolate). An unknown
 * identifier then looks like a real account drawn from the real population.
 */
export class DummyPasswordHashes {
  constructor(
    private readonly deps: {
      users: UserRepository;
      passwords: PasswordHasher;
      clock: Clock;
      /** Its data encryption key keys the assignment: a server-side secret nobody can compute with. */
      config: Pick<Config, "encryption">;
    },
  ) {}

  /** The dummy PHC string to verify an unknown `identifier`'s password against. */
  async for(identifier: string): Promise<string> {
    const params = await this.paramsFor(normalizeIdentifier(identifier));
    const id = key(params);
    let hash = dummyHashes.get(id);
    if (!hash) {
      hash = this.deps.passwords.hash(
        "not a real password: only here to spend the time a real check takes",
        params,
      );
      dummyHashes.set(id, hash);
    }
    return hash;
  }

  private async paramsFor(identifier: string): Promise<Argon2Params> {
    const { buckets, total } = await this.distribution();
    if (total === 0) return this.deps.passwords.params;
    const point = (await this.keyedHash(identifier)) % total;
    return (buckets.find((bucket) => point < bucket.end) ?? buckets[buckets.length - 1]!).params;
  }

  private async distribution(): Promise<{ buckets: Bucket[]; total: number }> {
    const { users, clock, config } = this.deps;
    const now = clock.now().getTime();
    const cached = distributions.get(config);
    if (cached && now - cached.at < DISTRIBUTION_TTL_MS) return cached;
    const buckets: Bucket[] = [];
    let total = 0;
    const counts = (await users.passwordParameterCounts()).sort((a, b) => a.params.localeCompare(b.params));
    for (const { params, total: count } of counts) {
      const parsed = argon2ParamsOf(params);
      if (!parsed || count <= 0) continue;
      total += count;
      buckets.push({ params: parsed, end: total });
    }
    const fresh = { at: now, buckets, total };
    distributions.set(config, fresh);
    return fresh;
  }

  /** HMAC-SHA-256 of the identifier under the server secret, as a 48-bit number. */
  private async keyedHash(identifier: string): Promise<number> {
    const encoder = new TextEncoder();
    const hmacKey = await crypto.subtle.importKey(
      "raw",
      encoder.encode(`edge-auth/dummy-hash/v1/${this.deps.config.encryption.data.current}`),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", hmacKey, encoder.encode(identifier)));
    return mac.slice(0, 6).reduce((value, byte) => value * 256 + byte, 0);
  }
}
