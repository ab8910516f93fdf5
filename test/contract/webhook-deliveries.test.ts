import { expect, it } from "vitest";
import {
  type PendingWebhookDelivery,
  type WebhookDelivery,
  WebhookDeliveryRepository,
  type WebhookDeliveryStatus,
} from "../../src/features/webhooks/deliveries";
import { AppError } from "../../src/platform/errors";
import { describeOnEachDialect, unique } from "../helpers/dialects";

const T0 = new Date(Date.UTC(2026, 0, 1));
const at = (ms: number) => new Date(T0.getTime() + ms);
const URL_SEEN = "https://hooks.example.com/edge-auth";

function pending(overrides: Partial<PendingWebhookDelivery> = {}): PendingWebhookDelivery {
  return {
    eventId: unique("evt_"),
    event: "invite.created",
    subjectId: unique("inv_"),
    payloadSealed: unique("sealed-"),
    url: URL_SEEN,
    createdAt: T0,
    ...overrides,
  };
}

describeOnEachDialect("WebhookDeliveryRepository", (db) => {
  const deliveries = () => new WebhookDeliveryRepository(db());

  /** Every row of the log, page by page, optionally of one status. */
  async function walk(status?: WebhookDeliveryStatus, limit = 2): Promise<WebhookDelivery[]> {
    const rows: WebhookDelivery[] = [];
    let cursor: string | undefined;
    do {
      const page = await deliveries().list({ status, cursor, limit });
      expect(page.items.length).toBeLessThanOrEqual(limit);
      rows.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return rows;
  }

  it("records a pending row once; a second record of the event id changes nothing", async () => {
    const first = pending();
    expect(await deliveries().record(first)).toBe(true);
    expect(await deliveries().record({ ...first, payloadSealed: "other", createdAt: at(5) })).toBe(false);
    expect(await deliveries().find(first.eventId)).toEqual({
      ...first,
      status: "pending",
      attempts: 0,
      lastStatus: null,
      lastError: null,
      updatedAt: T0,
      deliveredAt: null,
    });
    expect(await deliveries().find(unique("evt_"))).toBeUndefined();
  });

  it("concurrent records of one event id: exactly one inserts", async () => {
    const row = pending();
    const results = await Promise.all(Array.from({ length: 6 }, () => deliveries().record(row)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("markAttempt counts attempts and moves pending → failed → (redelivery) → delivered", async () => {
    const row = pending();
    await deliveries().record(row);
    const retrying = await deliveries().markAttempt(row.eventId, {
      outcome: "retrying",
      httpStatus: 503,
      error: "http 503",
      url: URL_SEEN,
      at: at(1_000),
    });
    expect(retrying).toMatchObject({
      status: "pending",
      attempts: 1,
      lastStatus: 503,
      lastError: "http 503",
    });
    expect(retrying?.updatedAt).toEqual(at(1_000));
    const failed = await deliveries().markAttempt(row.eventId, {
      outcome: "failed",
      httpStatus: null,
      error: "timeout after 10000 ms",
      url: "https://new.example.com/hook",
      at: at(2_000),
    });
    expect(failed).toMatchObject({
      status: "failed",
      attempts: 2,
      lastStatus: null,
      lastError: "timeout after 10000 ms",
      url: "https://new.example.com/hook",
      deliveredAt: null,
    });
    expect(await deliveries().resetForRedelivery(row.eventId, at(3_000))).toBe(true);
    expect(await deliveries().find(row.eventId)).toMatchObject({ status: "pending", attempts: 2 });
    const delivered = await deliveries().markAttempt(row.eventId, {
      outcome: "delivered",
      httpStatus: 204,
      error: null,
      url: URL_SEEN,
      at: at(4_000),
    });
    expect(delivered).toEqual({
      ...row,
      status: "delivered",
      attempts: 3,
      lastStatus: 204,
      lastError: null,
      updatedAt: at(4_000),
      deliveredAt: at(4_000),
    });
  });

  it("a delivered row never changes again", async () => {
    const row = pending();
    await deliveries().record(row);
    const attempt = { httpStatus: 200, error: null, url: URL_SEEN, at: at(1_000) };
    const delivered = await deliveries().markAttempt(row.eventId, { ...attempt, outcome: "delivered" });
    for (const outcome of ["failed", "retrying", "delivered"] as const) {
      expect(
        await deliveries().markAttempt(row.eventId, { ...attempt, outcome, httpStatus: 500, at: at(9_000) }),
      ).toBeUndefined();
    }
    expect(await deliveries().resetForRedelivery(row.eventId, at(9_000))).toBe(false);
    expect(await deliveries().find(row.eventId)).toEqual(delivered);
  });

  it("markAttempt of an unknown event id does nothing; a long error is capped", async () => {
    const attempt = { outcome: "retrying", httpStatus: 500, url: URL_SEEN, at: at(1) } as const;
    expect(await deliveries().markAttempt(unique("evt_"), { ...attempt, error: "x" })).toBeUndefined();
    const row = pending();
    await deliveries().record(row);
    const marked = await deliveries().markAttempt(row.eventId, { ...attempt, error: "e".repeat(2_000) });
    expect(marked?.lastError).toHaveLength(500);
  });

  it("resetForRedelivery applies to a failed row only, once under concurrency", async () => {
    const row = pending();
    await deliveries().record(row);
    expect(await deliveries().resetForRedelivery(row.eventId, at(1))).toBe(false);
    await deliveries().markAttempt(row.eventId, {
      outcome: "failed",
      httpStatus: 500,
      error: "http 500",
      url: URL_SEEN,
      at: at(2),
    });
    const resets = await Promise.all(
      Array.from({ length: 5 }, () => deliveries().resetForRedelivery(row.eventId, at(3))),
    );
    expect(resets.filter(Boolean)).toHaveLength(1);
    expect(await deliveries().find(row.eventId)).toMatchObject({ status: "pending", updatedAt: at(3) });
    expect(await deliveries().resetForRedelivery(unique("evt_"), at(4))).toBe(false);
  });

  it("lists newest first (ties by event id), page by page with no row twice, filtered by status", async () => {
    // Far in the future so these rows are the newest of the shared log; two share an instant.
    const base = Date.UTC(2100, 0, 1) + Math.floor(Math.random() * 1e9);
    const rows = [0, 1, 1, 2, 3].map((offset, index) =>
      pending({ eventId: `evt_${base}_${index}_${unique()}`, createdAt: new Date(base + offset) }),
    );
    for (const row of rows) await deliveries().record(row);
    await deliveries().markAttempt(rows[2]!.eventId, {
      outcome: "failed",
      httpStatus: 500,
      error: "http 500",
      url: URL_SEEN,
      at: new Date(base + 10),
    });
    const expectedOrder = [rows[4]!, rows[3]!, rows[2]!, rows[1]!, rows[0]!].map((row) => row.eventId);

    const firstPage = await deliveries().list({ limit: 3 });
    expect(firstPage.items.map((row) => row.eventId)).toEqual(expectedOrder.slice(0, 3));
    expect(firstPage.nextCursor).toEqual(expect.any(String));

    const everything = await walk();
    const ids = everything.map((row) => row.eventId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => expectedOrder.includes(id))).toEqual(expectedOrder);
    for (let i = 1; i < everything.length; i++) {
      const [newer, older] = [everything[i - 1]!, everything[i]!];
      const ordered =
        newer.createdAt > older.createdAt ||
        (newer.createdAt.getTime() === older.createdAt.getTime() && newer.eventId > older.eventId);
      expect(ordered, `${newer.eventId} before ${older.eventId}`).toBe(true);
    }

    const failed = await walk("failed", 1);
    expect(failed.every((row) => row.status === "failed")).toBe(true);
    expect(failed.map((row) => row.eventId)).toContain(rows[2]!.eventId);
    expect((await walk("pending", 50)).map((row) => row.eventId)).not.toContain(rows[2]!.eventId);
  });

  it("refuses a cursor it did not make; clamps the page size", async () => {
    for (const cursor of ["garbage", "W10", btoa('["x","evt"]')]) {
      const error = await deliveries()
        .list({ cursor, limit: 10 })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe("VALIDATION_FAILED");
    }
    await deliveries().record(pending());
    await deliveries().record(pending());
    expect((await deliveries().list({ limit: 0 })).items).toHaveLength(1);
    expect((await deliveries().list({ limit: 1_000 })).items.length).toBeLessThanOrEqual(100);
  });
});
