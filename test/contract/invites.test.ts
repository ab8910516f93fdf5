import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import type { Database } from "../../src/db/database";
import { AuditLogRepository } from "../../src/features/audit/repository";
import { AuditService } from "../../src/features/audit/service";
import { generateInviteCode } from "../../src/features/invites/invite-code";
import { InviteRepository, type NewInvite } from "../../src/features/invites/repository";
import { TenantRepository } from "../../src/features/tenants/repository";
import { DAY_MS, ManualClock } from "../../src/platform/clock";
import { newId } from "../../src/platform/ids";
import { cryptoRandom } from "../../src/platform/random";
import { describeOnEachDialect, unique } from "../helpers/dialects";
import { insertUser } from "../helpers/users";

const T0 = Date.UTC(2026, 0, 1);
const at = (ms: number) => new Date(T0 + ms);
// Ids from the real generator on a clock that moves 1 ms per invite: creation order is id order.
const idClock = new ManualClock(T0);
const client = { ip: "203.0.113.7", userAgent: "contract-test" };

async function tenant(db: Database) {
  const tenants = new TenantRepository(db, idClock, cryptoRandom);
  const slug = unique("org").toLowerCase();
  await tenants.ensure([slug]);
  return (await tenants.findByRef(slug))!;
}

async function newInvite(
  db: Database,
  overrides: Partial<NewInvite> = {},
): Promise<NewInvite & { code: string }> {
  idClock.advance(1);
  const code = await generateInviteCode(cryptoRandom);
  const owner = overrides.tenantId ? undefined : await tenant(db);
  return {
    id: newId("invite", idClock, cryptoRandom),
    codeHash: code.hash,
    codePrefix: code.prefix,
    tipoDestino: "gestor",
    role: "gestor",
    tenantId: owner?.id ?? "",
    tenantSlug: owner?.slug ?? "",
    nucleos: ["norte", 7],
    dataExpiracao: at(DAY_MS),
    createdBy: `usr_${unique()}`,
    createdAt: at(0),
    code: code.code,
    ...overrides,
  };
}

async function store(invites: InviteRepository, invite: NewInvite & { code: string }) {
  const { code: _code, ...stored } = invite;
  return invites.insert(stored);
}

async function membership(db: Database, userId: string, tenantId: string) {
  return db.first<{ role: string; nucleos: string | null }>(
    sql`SELECT role, nucleos FROM tenant_members WHERE user_id = ${userId} AND tenant_id = ${tenantId}`,
  );
}

describeOnEachDialect("InviteRepository", (db) => {
  const invites = () => new InviteRepository(db());

  it("stores an invite and reads it back by id and by code hash, with its tenant's slug", async () => {
    const invite = await newInvite(db());
    const { code: _code, ...stored } = invite;
    const expected = { ...stored, estado: "novo", used: null, revoked: null };
    expect(await store(invites(), invite)).toEqual(expected);
    expect(await invites().findById(invite.id)).toEqual(expected);
    expect(await invites().findByCodeHash(invite.codeHash)).toEqual(expected);
    expect(await invites().findByCodeHash((await generateInviteCode(cryptoRandom)).hash)).toBeUndefined();
    expect(await invites().findById(newId("invite", idClock, cryptoRandom))).toBeUndefined();
  });

  it("uses an invite once under 20 concurrent uses, making exactly one user a member", async () => {
    const invite = await newInvite(db());
    await store(invites(), invite);
    const users = await Promise.all(Array.from({ length: 20 }, () => insertUser(db())));
    const outcomes = await Promise.all(
      users.map((userId, index) =>
        invites().use(invite.id, invite.codeHash, { by: userId, at: at(index), ...client }),
      ),
    );
    const winners = outcomes.filter((outcome) => outcome.changed);
    expect(winners).toHaveLength(1);
    const winner = winners[0]!.invite!;
    expect(winner.estado).toBe("usado");
    expect(outcomes.every((outcome) => outcome.invite?.used?.by === winner.used!.by)).toBe(true);
    expect(winner.used).toMatchObject({ ip: client.ip, userAgent: client.userAgent });
    const members = await db().all<{ user_id: string; role: string; nucleos: string }>(
      sql`SELECT user_id, role, nucleos FROM tenant_members WHERE tenant_id = ${invite.tenantId}`,
    );
    expect(members).toEqual([{ user_id: winner.used!.by, role: "gestor", nucleos: '["norte",7]' }]);
  });

  it("does not use an invite with another code, after its expiry, or once revoked", async () => {
    const userId = await insertUser(db());
    const wrongCode = await newInvite(db());
    await store(invites(), wrongCode);
    const other = await generateInviteCode(cryptoRandom);
    expect(await invites().use(wrongCode.id, other.hash, { by: userId, at: at(1), ...client })).toMatchObject(
      {
        changed: false,
        invite: { estado: "novo", used: null },
      },
    );

    const expired = await newInvite(db());
    await store(invites(), expired);
    const late = await invites().use(expired.id, expired.codeHash, { by: userId, at: at(DAY_MS), ...client });
    expect(late).toMatchObject({ changed: false, invite: { estado: "novo" } });

    const revoked = await newInvite(db());
    await store(invites(), revoked);
    expect((await invites().revoke(revoked.id, { by: "usr_admin", at: at(5), ...client })).changed).toBe(
      true,
    );
    const afterRevoke = await invites().use(revoked.id, revoked.codeHash, {
      by: userId,
      at: at(6),
      ...client,
    });
    expect(afterRevoke).toMatchObject({ changed: false, invite: { estado: "revogado" } });
    expect(await membership(db(), userId, revoked.tenantId)).toBeUndefined();
    expect(
      await invites().use(newId("invite", idClock, cryptoRandom), other.hash, {
        by: userId,
        at: at(1),
        ...client,
      }),
    ).toEqual({ changed: false, invite: undefined });
  });

  it("never lowers an existing member's tenant role; raises a lower one; keeps nucleos unless given", async () => {
    const org = await tenant(db());
    const [admin, plain] = [await insertUser(db()), await insertUser(db())];
    await db().run(sql`INSERT INTO tenant_members (user_id, tenant_id, created_at, role, nucleos)
                       VALUES (${admin}, ${org.id}, ${T0}, 'admin', '["sul"]'), (${plain}, ${org.id}, ${T0}, 'usuario', '["sul"]')`);
    const associado = await newInvite(db(), {
      tenantId: org.id,
      tenantSlug: org.slug,
      tipoDestino: "associado",
      role: "usuario",
      nucleos: null,
    });
    const gestor = await newInvite(db(), { tenantId: org.id, tenantSlug: org.slug });
    await store(invites(), associado);
    await store(invites(), gestor);
    await invites().use(associado.id, associado.codeHash, { by: admin, at: at(1), ...client });
    await invites().use(gestor.id, gestor.codeHash, { by: plain, at: at(2), ...client });
    expect(await membership(db(), admin, org.id)).toEqual({ role: "admin", nucleos: '["sul"]' });
    expect(await membership(db(), plain, org.id)).toEqual({ role: "gestor", nucleos: '["norte",7]' });
  });

  it("writes an audit row in the unit of a use or revocation only when that call changed the invite", async () => {
    const audit = new AuditService(new AuditLogRepository(db()), idClock, cryptoRandom, {
      requestId: `req_${unique()}`,
      client,
    });
    const invite = await newInvite(db());
    await store(invites(), invite);
    const users = [await insertUser(db()), await insertUser(db())];
    const outcomes = await Promise.all(
      users.map((userId) =>
        invites().use(invite.id, invite.codeHash, { by: userId, at: at(3), ...client }, [
          audit.statement(
            {
              event: "invite.use",
              result: "success",
              actorId: userId,
              targetType: "invite",
              targetId: invite.id,
            },
            {
              onlyIf: invites().consumedBy(invite.id, userId, at(3)),
              tenantIdFrom: invites().tenantOf(invite.id),
            },
          ),
        ]),
      ),
    );
    const winner = outcomes.find((outcome) => outcome.changed)!;
    expect(winner.membership).toEqual({ role: "gestor", nucleos: ["norte", 7] });
    const rows = await new AuditLogRepository(db()).listByTarget("invite", invite.id);
    expect(rows.map((row) => [row.actorId, row.tenantId, row.ip])).toEqual([
      [winner.invite!.used!.by, invite.tenantId, client.ip],
    ]);

    const revoked = await newInvite(db());
    await store(invites(), revoked);
    const revokeAudited = (by: string, ms: number) =>
      invites().revoke(revoked.id, { by, at: at(ms), ...client }, [
        audit.statement(
          {
            event: "invite.revoke",
            result: "success",
            actorId: by,
            targetType: "invite",
            targetId: revoked.id,
          },
          { onlyIf: invites().revokedBy(revoked.id, by, at(ms)) },
        ),
      ]);
    expect((await revokeAudited("usr_first", 4)).changed).toBe(true);
    expect((await revokeAudited("usr_second", 5)).changed).toBe(false);
    const revocations = await new AuditLogRepository(db()).listByTarget("invite", revoked.id);
    expect(revocations.map((row) => row.actorId)).toEqual(["usr_first"]);
  });

  it("with once, writes one success row when the same user uses an invite ten times at the same instant", async () => {
    const audit = new AuditService(new AuditLogRepository(db()), idClock, cryptoRandom, {
      requestId: `req_${unique()}`,
      client,
    });
    const invite = await newInvite(db());
    await store(invites(), invite);
    const userId = await insertUser(db());
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () =>
        invites().use(invite.id, invite.codeHash, { by: userId, at: at(3), ...client }, [
          audit.statement(
            {
              event: "invite.use",
              result: "success",
              actorId: userId,
              targetType: "invite",
              targetId: invite.id,
            },
            { onlyIf: invites().consumedBy(invite.id, userId, at(3)), once: true },
          ),
        ]),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.changed)).toHaveLength(1);
    const rows = await new AuditLogRepository(db()).listByTarget("invite", invite.id);
    expect(rows.map((row) => [row.event, row.result, row.actorId])).toEqual([
      ["invite.use", "success", userId],
    ]);
  });

  it("revokes a new invite once, recording who, when and from where; never a used or expired one", async () => {
    const invite = await newInvite(db());
    await store(invites(), invite);
    const [first, second] = await Promise.all([
      invites().revoke(invite.id, { by: "usr_a", at: at(10), ...client }),
      invites().revoke(invite.id, { by: "usr_b", at: at(11), ...client }),
    ]);
    expect([first.changed, second.changed].sort()).toEqual([false, true]);
    const revoked = (first.changed ? first : second).invite!;
    expect(revoked.estado).toBe("revogado");
    expect(revoked.revoked).toEqual({
      by: first.changed ? "usr_a" : "usr_b",
      at: at(first.changed ? 10 : 11),
      ip: client.ip,
      userAgent: client.userAgent,
    });

    const used = await newInvite(db());
    await store(invites(), used);
    await invites().use(used.id, used.codeHash, { by: await insertUser(db()), at: at(1), ...client });
    expect(await invites().revoke(used.id, { by: "usr_a", at: at(2), ...client })).toMatchObject({
      changed: false,
      invite: { estado: "usado", revoked: null },
    });
    const expired = await newInvite(db());
    await store(invites(), expired);
    expect((await invites().revoke(expired.id, { by: "usr_a", at: at(DAY_MS + 1), ...client })).changed).toBe(
      false,
    );
  });

  it("lists newest first by visibility and filters, with the effective state, page by page", async () => {
    const [mine, theirs] = [await tenant(db()), await tenant(db())];
    const viewer = await insertUser(db());
    await db().run(
      sql`INSERT INTO tenant_members (user_id, tenant_id, created_at) VALUES (${viewer}, ${mine.id}, ${T0})`,
    );
    const creator = `usr_${unique()}`;
    const inMine = { tenantId: mine.id, tenantSlug: mine.slug };
    const a = await newInvite(db(), { ...inMine, createdBy: creator });
    const b = await newInvite(db(), { ...inMine, dataExpiracao: at(10) });
    const c = await newInvite(db(), { ...inMine, createdBy: creator });
    const hidden = await newInvite(db(), {
      tenantId: theirs.id,
      tenantSlug: theirs.slug,
      createdBy: creator,
    });
    for (const invite of [a, b, c, hidden]) await store(invites(), invite);
    await invites().use(c.id, c.codeHash, { by: viewer, at: at(1), ...client });

    const list = (
      filters: Parameters<InviteRepository["list"]>[0]["filters"],
      afterId?: string,
      limit = 10,
    ) => invites().list({ visibility: { memberOf: viewer }, filters, now: at(100), afterId, limit });
    const ids = (rows: { id: string }[]) => rows.map((row) => row.id);
    expect(ids(await list({}))).toEqual([c.id, b.id, a.id]);
    expect(ids(await list({ estado: "novo" }))).toEqual([a.id]);
    expect(ids(await list({ estado: "expirado" }))).toEqual([b.id]);
    expect(ids(await list({ estado: "usado" }))).toEqual([c.id]);
    expect(ids(await list({ createdBy: creator }))).toEqual([c.id, a.id]);
    expect(ids(await list({ tenantId: theirs.id }))).toEqual([]);
    expect(ids(await list({}, undefined, 1))).toEqual([c.id, b.id]);
    expect(ids(await list({}, b.id, 1))).toEqual([a.id]);
    const everything = await invites().list({
      visibility: { all: true },
      filters: { tenantId: theirs.id },
      now: at(100),
      limit: 10,
    });
    expect(ids(everything)).toEqual([hidden.id]);
  });
});
