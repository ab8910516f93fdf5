import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createD1Database } from "../../../src/db/d1";
import { MAX_GENERATION_ATTEMPTS } from "../../../src/features/api-tokens/service";
import { createApiTokenServices } from "../../../src/features/api-tokens/services";
import { IsolateThrottle } from "../../../src/features/api-tokens/throttle";
import { SCOPES } from "../../../src/features/authorization/principal";
import { ManualClock } from "../../../src/platform/clock";
import { createLogger } from "../../../src/platform/logger";
import { cryptoRandom, type RandomSource } from "../../../src/platform/random";
import { backgroundContext, createShared } from "../../../src/services";
import { allAuditRows } from "../../helpers/accounts";
import { insertUser } from "../../helpers/users";

const FIXED = cryptoRandom.bytes(32);

/** Real randomness, except that the first `repeats` draws of 32 bytes (a token's) are all FIXED. */
function repeatingTokenBytes(repeats: number): RandomSource {
  let left = repeats;
  return {
    bytes(length) {
      if (length !== 32 || left === 0) return cryptoRandom.bytes(length);
      left -= 1;
      return FIXED.slice();
    },
  };
}

async function tokenServiceWith(random: RandomSource) {
  const deps = { clock: new ManualClock(), random };
  const shared = createShared(
    env,
    deps,
    createLogger("error", {}, () => {}),
    backgroundContext(deps),
  );
  const { tokens } = createApiTokenServices(shared, new IsolateThrottle());
  return tokens;
}

describe("API token generation (seed 003: unique, at most 10 draws)", () => {
  it("draws again when the hash is taken, without reading first, and gives up after 10 draws", async () => {
    const userId = await insertUser(createD1Database(env.DB));
    const principal = { kind: "user", userId, role: "usuario", scopes: SCOPES } as const;
    const request = { nome: "colliding", scope: "read" } as const;
    const first = await (await tokenServiceWith(repeatingTokenBytes(1))).create(principal, request);
    // Three draws repeat the first token: the unique index refuses them, the fourth lands.
    const second = await (await tokenServiceWith(repeatingTokenBytes(3))).create(principal, request);
    expect(second.token).not.toBe(first.token);
    const created = (await allAuditRows()).filter(
      (row) => row.event === "api_token.create" && [first.id, second.id].includes(String(row.target_id)),
    );
    expect(created.map((row) => JSON.parse(String(row.metadata)).attempts)).toEqual([1, 4]);

    // Every one of the ten draws collides: a 500, and nothing stored.
    const unlucky = await tokenServiceWith(repeatingTokenBytes(MAX_GENERATION_ATTEMPTS));
    await expect(unlucky.create(principal, request)).rejects.toMatchObject({
      code: "INTERNAL",
    });
    const { results } = await env.DB.prepare("SELECT id FROM api_tokens WHERE user_id = ?")
      .bind(userId)
      .all();
    expect(results).toHaveLength(2);
  });
});
