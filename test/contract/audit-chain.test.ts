import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import type { Database } from "../../src/db/database";
import { AuditChainRepository } from "../../src/features/audit/chain-repository";
import { AuditChain } from "../../src/features/audit/chain-service";
import { AuditLogRepository } from "../../src/features/audit/repository";
import { ManualClock } from "../../src/platform/clock";
import { createLogger } from "../../src/platform/logger";
import { describeOnEachDialect, unique } from "../helpers/dialects";

// The audit hash chain on both dialects. PostgreSQL is shared by the whole run, so positions are
// read from the chain rather than assumed, and every tampering is undone before the test ends.

const clock = new ManualClock(Date.UTC(2026, 0, 1));
const logger = createLogger("error");

async function insertRows(db: Database, count: number, tag = unique()): Promise<string[]> {
  const audit = new AuditLogRepository(db);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    clock.advance(1);
    const id = `aud_${unique()}`;
    ids.push(id);
    await audit.insert({
      id,
      event: "auth.login",
      result: i % 2 === 0 ? "success" : "failure",
      reason: i % 2 === 0 ? null : "bad_password",
      actorId: `usr_${tag}`,
      targetType: "user",
      targetId: `usr_${tag}`,
      tenantId: null,
      ip: "203.0.113.9",
      userAgent: "Mozilla/5.0 (contract)",
      requestId: `req_${unique()}`,
      clientRequestId: null,
      metadata: { attempt: i, nested: { ok: true } },
      createdAt: clock.now(),
    });
  }
  return ids;
}

async function seqOf(db: Database, id: string): Promise<number> {
  const row = await db.first<{ seq: number | null }>(sql`SELECT seq FROM audit_logs WHERE id = ${id}`);
  return Number(row?.seq);
}

/** Runs `check` with the row deleted, then puts the row back exactly as it was. */
async function withRowDeleted(db: Database, id: string, check: () => Promise<void>): Promise<void> {
  const row = await db.first<Record<string, unknown>>(sql`SELECT * FROM audit_logs WHERE id = ${id}`);
  await db.run(sql`DELETE FROM audit_logs WHERE id = ${id}`);
  try {
    await check();
  } finally {
    const columns = Object.keys(row!);
    await db.run(sql`
      INSERT INTO audit_logs (${sql.raw(columns.join(", "))})
      VALUES (${sql.join(
        columns.map((column) => sql`${row![column]}`),
        sql`, `,
      )})`);
  }
}

/** Checks the whole chain page by page, as an operator would. */
async function verifyAll(chain: AuditChain, limit = 500) {
  let afterSeq = 0;
  for (;;) {
    const report = await chain.verify({ afterSeq, limit });
    if (!report.valid || report.nextAfterSeq === null) return report;
    afterSeq = report.nextAfterSeq;
  }
}

describeOnEachDialect("AuditChain", (db) => {
  const chain = () => new AuditChain(new AuditChainRepository(db()), clock, logger);

  it("links rows oldest first, moves the head, and checks clean", async () => {
    await chain().sealBacklog(1000, 100);
    const before = (await new AuditChainRepository(db()).head())?.seq ?? 0;
    const ids = await insertRows(db(), 40);
    const { sealed, head } = await chain().seal(1000);
    expect(sealed).toBeGreaterThanOrEqual(40);
    expect(await Promise.all(ids.map((id) => seqOf(db(), id)))).toEqual(
      Array.from({ length: 40 }, (_, i) => before + i + 1),
    );
    expect(head?.seq).toBe(before + sealed);
    const report = await verifyAll(chain());
    expect(report).toMatchObject({ valid: true, firstBroken: null, nextAfterSeq: null });
    expect(report.head?.seq).toBeGreaterThanOrEqual(before + 40);
  });

  it("gives every row one position when sealers race each other and new inserts", async () => {
    const ids = await insertRows(db(), 70);
    const [results] = await Promise.all([
      Promise.all(Array.from({ length: 6 }, () => chain().seal(25))),
      insertRows(db(), 10),
    ]);
    expect(results.filter((result) => result.sealed > 0).length).toBeGreaterThanOrEqual(1);
    await chain().sealBacklog(1000, 100);
    const seqs = await Promise.all(ids.map((id) => seqOf(db(), id)));
    expect(seqs.every(Number.isInteger)).toBe(true);
    expect(new Set(seqs).size).toBe(ids.length);
    expect(await verifyAll(chain())).toMatchObject({ valid: true, unsealed: 0 });
  });

  it("reports an edited row as altered at its position, and is whole again once it is put back", async () => {
    const [id] = await insertRows(db(), 3);
    await chain().sealBacklog(1000, 100);
    const seq = await seqOf(db(), id!);
    await db().run(sql`UPDATE audit_logs SET ip = '198.51.100.1' WHERE id = ${id!}`);
    try {
      expect((await verifyAll(chain(), 10_000)).firstBroken).toEqual({ seq, id, problem: "altered" });
    } finally {
      await db().run(sql`UPDATE audit_logs SET ip = '203.0.113.9' WHERE id = ${id!}`);
    }
    expect((await verifyAll(chain(), 10_000)).valid).toBe(true);
  });

  it("reports a row whose own hash was recomputed by the editor at the next link", async () => {
    const [first, second] = await insertRows(db(), 2);
    await chain().sealBacklog(1000, 100);
    const seq = await seqOf(db(), second!);
    const original = await db().first<{ hash: string }>(
      sql`SELECT hash FROM audit_logs WHERE id = ${first!}`,
    );
    await db().run(sql`UPDATE audit_logs SET hash = ${"f".repeat(64)} WHERE id = ${first!}`);
    try {
      const report = await verifyAll(chain(), 10_000);
      expect(report.firstBroken).toEqual({ seq: seq - 1, id: first, problem: "altered" });
    } finally {
      await db().run(sql`UPDATE audit_logs SET hash = ${original!.hash} WHERE id = ${first!}`);
    }
  });

  it("reports a deleted row, in the middle or at the end, as a missing position", async () => {
    const ids = await insertRows(db(), 3);
    await chain().sealBacklog(1000, 100);
    const middle = await seqOf(db(), ids[1]!);
    await withRowDeleted(db(), ids[1]!, async () => {
      expect((await verifyAll(chain(), 10_000)).firstBroken).toEqual({
        seq: middle,
        id: null,
        problem: "missing",
      });
    });
    const head = (await new AuditChainRepository(db()).head())!;
    const last = await db().first<{ id: string }>(sql`SELECT id FROM audit_logs WHERE seq = ${head.seq}`);
    await withRowDeleted(db(), last!.id, async () => {
      const report = await chain().verify({ afterSeq: head.seq - 2, limit: 10 });
      expect(report.firstBroken).toEqual({ seq: head.seq, id: null, problem: "missing" });
    });
    expect((await verifyAll(chain(), 10_000)).valid).toBe(true);
  });

  it("reports a head that does not match the last row", async () => {
    await insertRows(db(), 1);
    await chain().sealBacklog(1000, 100);
    const head = (await new AuditChainRepository(db()).head())!;
    await db().run(sql`UPDATE audit_chain_heads SET hash = ${"0".repeat(64)} WHERE id = 'audit'`);
    try {
      const report = await chain().verify({ afterSeq: Math.max(0, head.seq - 5), limit: 10 });
      expect(report.firstBroken).toMatchObject({ seq: head.seq, problem: "head_mismatch" });
    } finally {
      await db().run(sql`UPDATE audit_chain_heads SET hash = ${head.hash} WHERE id = 'audit'`);
    }
  });

  it("checks a long chain page by page", async () => {
    await insertRows(db(), 12);
    await chain().sealBacklog(1000, 100);
    const head = (await new AuditChainRepository(db()).head())!;
    const first = await chain().verify({ afterSeq: head.seq - 12, limit: 5 });
    expect(first).toMatchObject({
      valid: true,
      checked: { fromSeq: head.seq - 11, toSeq: head.seq - 7 },
      nextAfterSeq: head.seq - 7,
    });
    const rest = await chain().verify({ afterSeq: head.seq - 2, limit: 5 });
    expect(rest).toMatchObject({ valid: true, checked: { toSeq: head.seq }, nextAfterSeq: null });
  });
});
