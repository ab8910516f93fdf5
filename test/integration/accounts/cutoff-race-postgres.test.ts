import { env } from "cloudflare:test";
import { connect } from "node:net";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { createAccountServices } from "../../../src/features/accounts/services";
import { SingleUseTokenRepository } from "../../../src/features/accounts/single-use-tokens/repository";
import { createTwoFactorServices } from "../../../src/features/two-factor/services";
import { NO_CLIENT } from "../../../src/platform/client-info";
import { systemClock } from "../../../src/platform/clock";
import { createLogger } from "../../../src/platform/logger";
import { cryptoRandom } from "../../../src/platform/random";
import { hashSecret } from "../../../src/platform/secrets";
import { createShared } from "../../../src/services";
import { decodeJwt, newAccount } from "../../helpers/accounts";
import { postgresUrl } from "../../helpers/dialects";

// The accounts services over the real PostgreSQL (the Hyperdrive binding of the test project).
const pgEnv = {
  ...env,
  DATABASE: "hyperdrive",
  EMAIL_QUEUE: { send: async () => {}, sendBatch: async () => {} } as unknown as Queue,
} as Env;
const shared = createShared(pgEnv, { clock: systemClock, random: cryptoRandom }, createLogger("error"), {
  requestId: "req_race",
  traceId: "trace_race",
  client: NO_CLIENT,
});
const accounts = createAccountServices(shared, createTwoFactorServices(shared).verifier);

/** A second connection of our own, to hold a row lock across awaits (src/db/postgres.ts: why the socket). */
function lockingClient() {
  const socket = {
    socket: ({ host, port }: { host: string[]; port: number[] }) =>
      connect({ host: host[0]!, port: port[0]! }),
  };
  return postgres(postgresUrl(), {
    max: 1,
    fetch_types: false,
    onnotice: () => {},
    ...socket,
  });
}

/** Polls until a backend is waiting on a lock held by `blockerPid`; returns the waiting backend's pid. */
async function waiterOf(blockerPid: number): Promise<number> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const row = await shared.db.first<{ pid: number }>(
      sql`SELECT pid FROM pg_stat_activity WHERE ${blockerPid} = ANY(pg_blocking_pids(pid)) LIMIT 1`,
    );
    if (row) return Number(row.pid);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`nothing waited on backend ${blockerPid}`);
}

describe("a refresh racing a password reset on PostgreSQL (READ COMMITTED)", () => {
  it("the child the reset's UPDATE never saw is refused, and so is the access token issued with it", async () => {
    const { user, tokens } = await accounts.registration.register(newAccount());
    const resetToken = `rst_race_${crypto.randomUUID()}`;
    const now = systemClock.now();
    await new SingleUseTokenRepository(shared.db, "password_resets").issue({
      id: `prs_${crypto.randomUUID().replace(/-/g, "")}`,
      userId: user.id,
      email: user.email,
      tokenHash: await hashSecret(resetToken),
      expiresAt: new Date(now.getTime() + 3_600_000),
      createdAt: now,
    });

    // A third transaction locks the user row. The rotation retires its parent (row lock on the
    // parent) and then waits on it, in its INSERT's foreign-key check; the reset's revocation
    // then waits on the parent row. Releasing the lock lets the rotation commit first: the reset's
    // UPDATE re-checks the parent it was waiting for, but its snapshot predates the child.
    const locker = lockingClient();
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let lockerPid!: number;
    const locked = new Promise<void>((resolve, reject) => {
      locker
        .begin(async (tx) => {
          lockerPid = Number((await tx`SELECT pg_backend_pid() AS pid`)[0]!.pid);
          await tx`SELECT id FROM users WHERE id = ${user.id} FOR UPDATE`;
          resolve();
          await released;
        })
        .catch(reject);
    });
    await locked;

    const rotation = accounts.sessions.refresh(tokens.refreshToken);
    const rotationPid = await waiterOf(lockerPid);
    const reset = accounts.passwordResets.confirm(resetToken, "a passphrase set by the owner");
    await waiterOf(rotationPid);
    release();
    const [rotated] = await Promise.all([rotation, reset]);

    // The race really happened: the reset revoked the parent but not the child.
    const childId = decodeJwt(rotated.refreshToken).payload.jti as string;
    const child = await shared.db.first<{ revoked_at: number | null }>(
      sql`SELECT revoked_at FROM refresh_tokens WHERE id = ${childId}`,
    );
    expect(child).toEqual({ revoked_at: null });

    await expect(accounts.sessions.refresh(rotated.refreshToken)).rejects.toMatchObject({
      code: "INVALID_TOKEN",
    });
    await expect(accounts.sessions.authenticate(rotated.accessToken)).rejects.toMatchObject({
      code: "INVALID_TOKEN",
    });
    const revoked = await shared.db.first<{ revoked_reason: string | null }>(
      sql`SELECT revoked_reason FROM refresh_tokens WHERE id = ${childId}`,
    );
    expect(revoked).toEqual({ revoked_reason: "cut_off" });
  });
});
