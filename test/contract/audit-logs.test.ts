import { expect, it } from "vitest";
import type { AuditLog } from "../../src/features/audit/audit-log";
import { AuditLogRepository } from "../../src/features/audit/repository";
import { describeOnEachDialect, unique } from "../helpers/dialects";

function entry(targetId: string, createdAt: Date, overrides: Partial<AuditLog> = {}): AuditLog {
  return {
    id: `aud_${unique()}`,
    event: "auth.login",
    result: "success",
    reason: null,
    actorId: `usr_${unique()}`,
    targetType: "user",
    targetId,
    tenantId: null,
    ip: "203.0.113.9",
    userAgent: "contract-test",
    requestId: `req_${unique()}`,
    clientRequestId: null,
    metadata: { familyId: "rtk_x", nested: { count: 2 }, list: [1, "a"] },
    createdAt,
    ...overrides,
  };
}

describeOnEachDialect("AuditLogRepository", (db) => {
  const audit = () => new AuditLogRepository(db());

  it("stores rows and lists a target's history oldest first, metadata intact", async () => {
    const targetId = `usr_${unique()}`;
    const second = entry(targetId, new Date(Date.UTC(2026, 0, 2)), {
      result: "failure",
      reason: "bad_password",
      tenantId: "tnt_1",
      clientRequestId: "the-client's-own-id",
    });
    const first = entry(targetId, new Date(Date.UTC(2026, 0, 1)), { metadata: {} });
    await audit().insert(second);
    await audit().insert(first);
    await audit().insert(entry(`usr_${unique()}`, new Date(Date.UTC(2026, 0, 1))));
    expect(await audit().listByTarget("user", targetId)).toEqual([first, second]);
    expect(await audit().listByTarget("invite", targetId)).toEqual([]);
    expect(await audit().listByTarget("user", targetId, 1)).toEqual([first]);
  });

  it("keeps rows without actor, target, IP or user agent", async () => {
    const row = entry("ignored", new Date(Date.UTC(2026, 0, 3)), {
      actorId: null,
      targetType: "user",
      targetId: `usr_${unique()}`,
      ip: null,
      userAgent: null,
      requestId: null,
    });
    await audit().insert(row);
    expect(await audit().listByTarget("user", row.targetId!)).toEqual([row]);
  });
});
