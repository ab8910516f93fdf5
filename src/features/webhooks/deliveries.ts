import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../../db";
import { dateOrNull } from "../../db/time";
import { base64UrlDecode, base64UrlEncode } from "../../platform/encoding";
import { AppError } from "../../platform/errors";
import type { WebhookEvent } from "./events";

/** `pending`: queued or retrying; `delivered`: a 2xx, final; `failed`: dead-lettered. */
export type WebhookDeliveryStatus = "pending" | "delivered" | "failed";

/** One event's row of the delivery log. */
export interface WebhookDelivery {
  eventId: string;
  event: WebhookEvent;
  /** The invite the event is about. */
  subjectId: string;
  /** The payload as the Queue message carried it (`PayloadCipher.seal`), for a redelivery. */
  payloadSealed: string;
  /** The receiver's origin and path as of the latest attempt (the query string is never kept). */
  url: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  /** HTTP status of the latest attempt; null when it got no answer (timeout, network error). */
  lastStatus: number | null;
  /** Why the latest attempt failed, as safe for logs; null after a success. */
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
  deliveredAt: Date | null;
}

/** What the log learns before the first attempt. */
export type PendingWebhookDelivery = Pick<
  WebhookDelivery,
  "eventId" | "event" | "subjectId" | "payloadSealed" | "url" | "createdAt"
>;

/** How one attempt ended, as `markAttempt` records it. */
export interface WebhookAttempt {
  /** `retrying` keeps the row pending; `failed` is the final attempt, before the dead-letter queue. */
  outcome: "delivered" | "retrying" | "failed";
  httpStatus: number | null;
  error: string | null;
  url: string;
  at: Date;
}

/** One page of the log, newest first; `nextCursor` is null on the last page. */
export interface WebhookDeliveryPage {
  items: WebhookDelivery[];
  nextCursor: string | null;
}

/** Longest `last_error` kept: error texts are short already, this only bounds a surprise. */
const MAX_ERROR_LENGTH = 500;
const MAX_PAGE_SIZE = 100;

interface WebhookDeliveryRow {
  event_id: string;
  event: string;
  subject_id: string;
  payload_sealed: string;
  url: string;
  status: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
}

const COLUMNS = sql.raw(
  "event_id, event, subject_id, payload_sealed, url, status, attempts, last_status, last_error, created_at, updated_at, delivered_at",
);

function toDelivery(row: WebhookDeliveryRow): WebhookDelivery {
  return {
    eventId: row.event_id,
    event: row.event as WebhookEvent,
    subjectId: row.subject_id,
    payloadSealed: row.payload_sealed,
    url: row.url,
    status: row.status as WebhookDeliveryStatus,
    attempts: row.attempts,
    lastStatus: row.last_status,
    lastError: row.last_error,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    deliveredAt: dateOrNull(row.delivered_at),
  };
}

/** The position after a row, opaque to clients: base64url of `[created_at, event_id]`. */
function encodeCursor(row: WebhookDelivery): string {
  return base64UrlEncode(new TextEncoder().encode(JSON.stringify([row.createdAt.getTime(), row.eventId])));
}

function decodeCursor(cursor: string): { createdAt: number; eventId: string } {
  try {
    const [createdAt, eventId] = JSON.parse(new TextDecoder().decode(base64UrlDecode(cursor))) as unknown[];
    if (Number.isSafeInteger(createdAt) && typeof eventId === "string") {
      return { createdAt: createdAt as number, eventId };
    }
  } catch {
    // Reported below, like any other cursor this repository did not make.
  }
  throw new AppError("VALIDATION_FAILED", "The cursor is not one this listing returned", {
    errors: [{ field: "query.cursor", message: "not a valid cursor" }],
  });
}

/**
 * The webhook delivery log on D1 or PostgreSQL. Every write is one statement: `record` is an
 * idempotent insert (a redelivered Queue message records nothing new), `markAttempt` never
 * touches a delivered row, and `resetForRedelivery` moves a failed row back to pending only if it
 * is still failed, so two admins pressing "redeliver" at once enqueue it once.
 */
export class WebhookDeliveryRepository {
  constructor(private readonly db: Database) {}

  /** Inserts the pending row of an event; false (and nothing changed) if the event id is known. */
  async record(pending: PendingWebhookDelivery): Promise<boolean> {
    const at = pending.createdAt.getTime();
    const inserted = await this.db.run(sql`
      INSERT INTO webhook_deliveries (${COLUMNS})
      VALUES (${pending.eventId}, ${pending.event}, ${pending.subjectId}, ${pending.payloadSealed}, ${pending.url},
              'pending', 0, NULL, NULL, ${at}, ${at}, NULL)
      ON CONFLICT (event_id) DO NOTHING`);
    return inserted > 0;
  }

  /**
   * Counts one attempt: attempts + 1, its status and error, and the row's new status (`delivered`
   * with `delivered_at`, `failed`, or `pending` while retrying). A delivered row is final: the
   * update does not apply and undefined is returned, as for an unknown event id.
   */
  async markAttempt(eventId: string, attempt: WebhookAttempt): Promise<WebhookDelivery | undefined> {
    const status: WebhookDeliveryStatus =
      attempt.outcome === "delivered" ? "delivered" : attempt.outcome === "failed" ? "failed" : "pending";
    const at = attempt.at.getTime();
    const row = await this.db.first<WebhookDeliveryRow>(sql`
      UPDATE webhook_deliveries
      SET attempts = attempts + 1, status = ${status}, last_status = ${attempt.httpStatus},
          last_error = ${attempt.error?.slice(0, MAX_ERROR_LENGTH) ?? null}, url = ${attempt.url},
          updated_at = ${at}, delivered_at = ${status === "delivered" ? at : null}
      WHERE event_id = ${eventId} AND status <> 'delivered'
      RETURNING ${COLUMNS}`);
    return row && toDelivery(row);
  }

  async find(eventId: string): Promise<WebhookDelivery | undefined> {
    const row = await this.db.first<WebhookDeliveryRow>(
      sql`SELECT ${COLUMNS} FROM webhook_deliveries WHERE event_id = ${eventId}`,
    );
    return row && toDelivery(row);
  }

  /**
   * The log newest first (by creation, then event id), optionally of one status, `limit` rows a
   * page (1 to 100). Throws `AppError("VALIDATION_FAILED")` for a cursor it did not make.
   */
  async list(query: {
    status?: WebhookDeliveryStatus;
    cursor?: string;
    limit: number;
  }): Promise<WebhookDeliveryPage> {
    const limit = Math.min(Math.max(1, Math.floor(query.limit)), MAX_PAGE_SIZE);
    const conditions: SQL[] = [];
    if (query.status) conditions.push(sql`status = ${query.status}`);
    if (query.cursor) {
      const after = decodeCursor(query.cursor);
      conditions.push(
        sql`(created_at < ${after.createdAt} OR (created_at = ${after.createdAt} AND event_id < ${after.eventId}))`,
      );
    }
    const where = conditions.length > 0 ? sql`WHERE ${sql.join(conditions, sql` AND `)}` : sql``;
    const rows = await this.db.all<WebhookDeliveryRow>(sql`
      SELECT ${COLUMNS} FROM webhook_deliveries ${where}
      ORDER BY created_at DESC, event_id DESC
      LIMIT ${limit + 1}`);
    const items = rows.slice(0, limit).map(toDelivery);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
  }

  /**
   * Undoes `resetForRedelivery` when the event could not be queued again after all, so the row
   * does not sit in `pending` with nothing on its way; false unless it was pending.
   */
  async restoreFailed(eventId: string, at: Date): Promise<boolean> {
    const changed = await this.db.run(sql`
      UPDATE webhook_deliveries SET status = 'failed', updated_at = ${at.getTime()}
      WHERE event_id = ${eventId} AND status = 'pending'`);
    return changed > 0;
  }

  /** Moves a failed row back to pending for a redelivery; false unless it was failed. */
  async resetForRedelivery(eventId: string, at: Date): Promise<boolean> {
    const changed = await this.db.run(sql`
      UPDATE webhook_deliveries SET status = 'pending', updated_at = ${at.getTime()}
      WHERE event_id = ${eventId} AND status = 'failed'`);
    return changed > 0;
  }
}
