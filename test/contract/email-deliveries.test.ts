import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Database } from "../../src/db";
import { createD1Database } from "../../src/db/d1";
import { createPostgresDatabase } from "../../src/db/postgres";
import { EmailDeliveryRepository } from "../../src/features/email/delivery-repository";
import { postgresUrl } from "../helpers/dialects";

const LEASE = 60_000;
const T0 = new Date(Date.UTC(2026, 0, 1));
const at = (ms: number) => new Date(T0.getTime() + ms);
// The PostgreSQL cluster is shared by every test file of the run: ids must not collide.
const newId = () => `evt_${crypto.randomUUID()}`;

// One client per dialect for the file. The PostgreSQL one is deliberately not closed: closing a
// postgres.js client inside workerd raises an unhandled "This socket has been closed" (its socket
// polyfill keeps reading after close); the sockets go with the test isolate instead.
const dialects: [string, Database][] = [
  ["D1", createD1Database(env.DB)],
  ["PostgreSQL", createPostgresDatabase(postgresUrl())],
];

describe.each(dialects)("EmailDeliveryRepository on %s", (_name, db) => {
  const deliveries = new EmailDeliveryRepository(db);

  it("the first claim wins; a second sees the lease; after markSent the id reads as sent", async () => {
    const id = newId();
    expect(await deliveries.claim(id, T0, LEASE)).toEqual({ state: "claimed", claimedAt: T0.getTime() });
    expect(await deliveries.claim(id, at(1_000), LEASE)).toEqual({
      state: "busy",
      leaseEndsAt: T0.getTime() + LEASE,
    });
    await deliveries.markSent(id, at(2_000));
    expect(await deliveries.claim(id, at(3_000), LEASE)).toEqual({ state: "sent" });
  });

  it("concurrent claims of one id: exactly one claims", async () => {
    const id = newId();
    const claims = await Promise.all(Array.from({ length: 8 }, () => deliveries.claim(id, T0, LEASE)));
    expect(claims.filter((claim) => claim.state === "claimed")).toHaveLength(1);
    expect(claims.filter((claim) => claim.state === "busy")).toHaveLength(7);
  });

  it("an expired lease (a consumer that died mid-send) can be claimed again", async () => {
    const id = newId();
    await deliveries.claim(id, T0, LEASE);
    expect((await deliveries.claim(id, at(LEASE - 1), LEASE)).state).toBe("busy");
    expect(await deliveries.claim(id, at(LEASE), LEASE)).toEqual({
      state: "claimed",
      claimedAt: T0.getTime() + LEASE,
    });
  });

  it("a sent id is never claimed again, however old", async () => {
    const id = newId();
    await deliveries.claim(id, T0, LEASE);
    await deliveries.markSent(id, T0);
    expect(await deliveries.claim(id, at(100 * LEASE), LEASE)).toEqual({ state: "sent" });
  });

  it("release frees the releasing claim only", async () => {
    const id = newId();
    await deliveries.claim(id, T0, LEASE);
    // A stale holder (whose lease was taken over) releasing must not free the new holder's claim.
    const takeover = await deliveries.claim(id, at(LEASE), LEASE);
    await deliveries.release(id, T0.getTime());
    expect((await deliveries.claim(id, at(LEASE + 1), LEASE)).state).toBe("busy");
    await deliveries.release(id, takeover.state === "claimed" ? takeover.claimedAt : -1);
    expect((await deliveries.claim(id, at(LEASE + 2), LEASE)).state).toBe("claimed");
  });

  it("release never frees a sent id", async () => {
    const id = newId();
    await deliveries.claim(id, T0, LEASE);
    await deliveries.markSent(id, T0);
    await deliveries.release(id, T0.getTime());
    expect(await deliveries.claim(id, at(1), LEASE)).toEqual({ state: "sent" });
  });
});
