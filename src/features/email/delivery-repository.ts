import { sql } from "drizzle-orm";
import type { Database } from "../../db";

/** What a claim on a message id found. */
export type DeliveryClaim =
  /** This consumer may send; it must then `markSent` or `release`. */
  | { state: "claimed"; claimedAt: number }
  /** Already sent once: acknowledge without sending. */
  | { state: "sent" }
  /** Another delivery holds a live lease; try again once it has expired. */
  | { state: "busy"; leaseEndsAt: number };

/**
 * Idempotency of e-mail sending over `email_deliveries` (D1 or PostgreSQL). A delivery first
 * claims the message id with one conditional upsert, so two concurrent deliveries of one message
 * cannot both send; the claim is a lease, so a consumer that died mid-send only delays the message.
 * A crash between the transport accepting a message and `markSent` can still send it twice: no
 * transport offers an atomic "send if not sent", so that window is kept as short as possible.
 */
export class EmailDeliveryRepository {
  constructor(private readonly db: Database) {}

  async claim(id: string, now: Date, leaseMs: number): Promise<DeliveryClaim> {
    const at = now.getTime();
    const claimed = await this.db.first<{ id: string }>(sql`
      INSERT INTO email_deliveries (id, claimed_at, sent_at) VALUES (${id}, ${at}, NULL)
      ON CONFLICT (id) DO UPDATE SET claimed_at = excluded.claimed_at
      WHERE email_deliveries.sent_at IS NULL AND email_deliveries.claimed_at <= ${at - leaseMs}
      RETURNING id`);
    if (claimed) return { state: "claimed", claimedAt: at };
    const row = await this.db.first<{ claimed_at: number; sent_at: number | null }>(
      sql`SELECT claimed_at, sent_at FROM email_deliveries WHERE id = ${id}`,
    );
    // No row: the holder released its claim after a failed send in between; try again right away.
    if (!row) return { state: "busy", leaseEndsAt: at };
    if (row.sent_at !== null) return { state: "sent" };
    return { state: "busy", leaseEndsAt: Number(row.claimed_at) + leaseMs };
  }

  async markSent(id: string, now: Date): Promise<void> {
    await this.db.run(sql`UPDATE email_deliveries SET sent_at = ${now.getTime()} WHERE id = ${id}`);
  }

  /** Gives up this delivery's claim after a failed send, so the retry may claim at once. */
  async release(id: string, claimedAt: number): Promise<void> {
    await this.db.run(sql`
      DELETE FROM email_deliveries WHERE id = ${id} AND sent_at IS NULL AND claimed_at = ${claimedAt}`);
  }
}
