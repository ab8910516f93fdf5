import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { UniqueViolation } from "../../src/db/errors";
import { AgentRepository } from "../../src/features/tenants/agent-repository";
import { TenantRepository } from "../../src/features/tenants/repository";
import { TenantSessionRepository } from "../../src/features/tenants/session-repository";
import { ManualClock } from "../../src/platform/clock";
import { cryptoRandom } from "../../src/platform/random";
import { describeOnEachDialect, unique } from "../helpers/dialects";
import { insertUser } from "../helpers/users";

const clock = new ManualClock(Date.UTC(2026, 0, 1));

describeOnEachDialect("TenantRepository", (db) => {
  const tenants = () => new TenantRepository(db(), clock, cryptoRandom);

  it("creates tenants once, even when ensured concurrently", async () => {
    const slug = unique("tenant");
    await Promise.all(Array.from({ length: 5 }, () => tenants().ensure([slug, slug])));
    const rows = await db().all<{ id: string }>(sql`SELECT id FROM tenants WHERE slug = ${slug}`);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id).toMatch(/^tnt_/);
  });

  it("adds a user to existing slugs only, idempotently, and lists slugs sorted", async () => {
    const userId = await insertUser(db());
    const [b, a] = [unique("b"), unique("a")];
    await tenants().ensure([b, a]);
    const at = clock.now();
    await db().atomic([
      tenants().addMemberIfUserExistsStatement(userId, b, at),
      tenants().addMemberIfUserExistsStatement(userId, a, at),
      tenants().addMemberIfUserExistsStatement(userId, a, at),
      tenants().addMemberIfUserExistsStatement(userId, unique("missing"), at),
    ]);
    expect(await tenants().slugsForUser(userId)).toEqual([a, b].sort());
  });

  it("adds nothing for a user that does not exist", async () => {
    const slug = unique("c");
    await tenants().ensure([slug]);
    const ghost = `usr_${unique()}`;
    await db().atomic([tenants().addMemberIfUserExistsStatement(ghost, slug, clock.now())]);
    expect(await tenants().slugsForUser(ghost)).toEqual([]);
  });
});

describeOnEachDialect("TenantRepository settings", (db) => {
  const tenants = () => new TenantRepository(db(), clock, cryptoRandom);
  const newTenant = (slug = unique("t")) => ({
    slug,
    name: `Tenant ${slug}`,
    sessionTimeoutSeconds: null,
    mfaRequired: false,
  });

  it("creates a tenant with its settings and refuses a taken slug", async () => {
    const created = await tenants().create({ ...newTenant(), sessionTimeoutSeconds: 600, mfaRequired: true });
    expect(created).toMatchObject({ status: "active", sessionTimeoutSeconds: 600, mfaRequired: true });
    expect(created.id).toMatch(/^tnt_/);
    expect(await tenants().findBySlug(created.slug)).toEqual(created);
    await expect(tenants().create(newTenant(created.slug))).rejects.toBeInstanceOf(UniqueViolation);
  });

  it("updates only the given settings and lists by slug with a cursor", async () => {
    const created = await tenants().create(newTenant());
    const updated = await tenants().update(created.id, { status: "disabled", sessionTimeoutSeconds: null });
    expect(updated).toMatchObject({
      name: created.name,
      status: "disabled",
      sessionTimeoutSeconds: null,
      mfaRequired: false,
    });
    expect(await tenants().update(`tnt_${"0".repeat(26)}`, { name: "x" })).toBeUndefined();
    const first = await tenants().list({ limit: 1 });
    expect(first.tenants).toHaveLength(1);
    const second = await tenants().list({ limit: 1, cursor: first.nextCursor! });
    expect(second.tenants[0]!.slug > first.tenants[0]!.slug).toBe(true);
    await expect(tenants().list({ limit: 1, cursor: "!!" })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
  });
});

describeOnEachDialect("AgentRepository", (db) => {
  const tenants = () => new TenantRepository(db(), clock, cryptoRandom);
  const agents = () => new AgentRepository(db());
  const tenant = () =>
    tenants().create({ slug: unique("t"), name: "T", sessionTimeoutSeconds: null, mfaRequired: false });

  it("assigns, changes and lists roles inside one tenant only", async () => {
    const [a, b] = [await tenant(), await tenant()];
    const user = await insertUser(db());
    expect(await agents().assign(a.id, user, "gestor", clock.now())).toMatchObject({
      outcome: "assigned",
      agent: { agentId: user, role: "gestor" },
    });
    expect((await agents().assign(a.id, user, "usuario", clock.now())).outcome).toBe("assigned");
    expect(await agents().list(a.id)).toEqual([expect.objectContaining({ agentId: user, role: "usuario" })]);
    expect(await agents().list(b.id)).toEqual([]);
    expect(await agents().find(b.id, user)).toBeUndefined();
    expect(await agents().remove(b.id, user)).toBe("none");
    expect(await agents().assign(a.id, `usr_${unique()}`, "usuario", clock.now())).toEqual({
      outcome: "no_user",
    });
  });

  it("never demotes or removes the last admin, whatever the race", async () => {
    const t = await tenant();
    const [first, second] = [await insertUser(db()), await insertUser(db())];
    await agents().assign(t.id, first, "admin", clock.now());
    await agents().assign(t.id, second, "admin", clock.now());
    const outcomes = await Promise.all([
      agents().assign(t.id, first, "usuario", clock.now()),
      agents().remove(t.id, second),
    ]);
    const admins = (await agents().list(t.id)).filter((agent) => agent.role === "admin");
    expect(admins).toHaveLength(1);
    expect(outcomes.map((o) => (typeof o === "string" ? o : o.outcome)).sort()).toContain("last_admin");
    expect(await agents().remove(t.id, admins[0]!.agentId)).toBe("last_admin");
  });

  it("changes or removes a role only while it is at or below the caller's, as the statement sees it", async () => {
    // A gestor checked the agent while they were a gestor; an admin promoted them before the write.
    const t = await tenant();
    const [promoted, other] = [await insertUser(db()), await insertUser(db())];
    await agents().assign(t.id, other, "admin", clock.now());
    await agents().assign(t.id, promoted, "admin", clock.now());
    expect(await agents().assign(t.id, promoted, "usuario", clock.now(), "gestor")).toEqual({
      outcome: "above",
      role: "admin",
    });
    expect(await agents().remove(t.id, promoted, [], "gestor")).toBe("above");
    expect(await agents().find(t.id, promoted)).toMatchObject({ role: "admin" });
    // Within the caller's role the write goes through; a new agent is not "above" anyone.
    await agents().assign(t.id, promoted, "gestor", clock.now());
    expect((await agents().assign(t.id, promoted, "usuario", clock.now(), "gestor")).outcome).toBe(
      "assigned",
    );
    const newcomer = await insertUser(db());
    expect((await agents().assign(t.id, newcomer, "gestor", clock.now(), "gestor")).outcome).toBe("assigned");
    expect(await agents().remove(t.id, newcomer, [], "gestor")).toBe("removed");
  });
});

describeOnEachDialect("TenantSessionRepository", (db) => {
  const tenants = () => new TenantRepository(db(), clock, cryptoRandom);
  const sessions = () => new TenantSessionRepository(db());
  const now = () => clock.now();

  async function pendingSession() {
    const t = await tenants().create({
      slug: unique("t"),
      name: "T",
      sessionTimeoutSeconds: null,
      mfaRequired: true,
    });
    const user = await insertUser(db());
    await new AgentRepository(db()).assign(t.id, user, "admin", now());
    const id = `ses_${unique()}`;
    const hash = unique("h");
    await sessions().insert({
      id,
      sessionHash: hash,
      tenantId: t.id,
      userId: user,
      state: "pending",
      expiresAt: new Date(now().getTime() + 300_000),
      ip: null,
      userAgent: null,
      tokenEpoch: 0,
      createdAt: now(),
    });
    return { t, user, id, hash };
  }

  const cutOff = (user: string) =>
    db().run(sql`UPDATE users SET token_epoch = token_epoch + 1 WHERE id = ${user}`);

  it("ends a session, active or pending, when its user's tokens are cut off", async () => {
    const active = await pendingSession();
    const expiresAt = new Date(now().getTime() + 3_600_000);
    expect(await sessions().activate(active.t.id, active.id, expiresAt, now())).toBe(true);
    await cutOff(active.user);
    expect(await sessions().findLive(active.t.id, active.id, now())).toBeUndefined();
    const pending = await pendingSession();
    await cutOff(pending.user);
    expect(await sessions().activate(pending.t.id, pending.id, expiresAt, now())).toBe(false);
  });

  it("finds a pending session only in its own tenant and activates it once", async () => {
    const { t, id, hash } = await pendingSession();
    const other = await tenants().create({
      slug: unique("o"),
      name: "O",
      sessionTimeoutSeconds: null,
      mfaRequired: false,
    });
    expect(await sessions().findPending(other.id, hash, now())).toBeUndefined();
    expect((await sessions().findPending(t.id, hash, now()))?.id).toBe(id);
    expect(await sessions().findLive(t.id, id, now())).toBeUndefined();
    const expiresAt = new Date(now().getTime() + 3_600_000);
    const results = await Promise.all([1, 2, 3].map(() => sessions().activate(t.id, id, expiresAt, now())));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await sessions().findLive(other.id, id, now())).toBeUndefined();
    expect(await sessions().findLive(t.id, id, now())).toMatchObject({ sessionId: id, role: "admin" });
    expect(await sessions().findLive(t.id, id, expiresAt)).toBeUndefined();
  });

  it("dies after five wrong codes", async () => {
    const { t, id, hash } = await pendingSession();
    const left: Array<number | undefined> = [];
    for (let i = 0; i < 6; i++) left.push(await sessions().recordFailure(t.id, id, now()));
    expect(left).toEqual([4, 3, 2, 1, 0, undefined]);
    expect(await sessions().findPending(t.id, hash, now())).toBeUndefined();
    expect(await sessions().activate(t.id, id, new Date(now().getTime() + 1000), now())).toBe(false);
  });

  it("stops a session when the agent is removed or the tenant disabled", async () => {
    const { t, user, id } = await pendingSession();
    await sessions().activate(t.id, id, new Date(now().getTime() + 3_600_000), now());
    await tenants().update(t.id, { status: "disabled" }, [
      sessions().endForTenantStatement(t.id, "tenant_disabled", now()),
    ]);
    expect(await sessions().findLive(t.id, id, now())).toBeUndefined();
    const row = await db().first<{ state: string }>(sql`SELECT state FROM tenant_sessions WHERE id = ${id}`);
    expect(row?.state).toBe("ended");
    const again = await pendingSession();
    await sessions().activate(again.t.id, again.id, new Date(now().getTime() + 3_600_000), now());
    const [second] = [await insertUser(db())];
    await new AgentRepository(db()).assign(again.t.id, second, "admin", now());
    expect(
      await new AgentRepository(db()).remove(again.t.id, again.user, [
        sessions().endForAgentStatement(again.t.id, again.user, "agent_removed", now()),
      ]),
    ).toBe("removed");
    expect(await sessions().findLive(again.t.id, again.id, now())).toBeUndefined();
    expect(user).toMatch(/^usr_/);
  });

  it("leaves the sessions of an agent whose removal was refused (the last admin)", async () => {
    const { t, user, id } = await pendingSession();
    await sessions().activate(t.id, id, new Date(now().getTime() + 3_600_000), now());
    expect(
      await new AgentRepository(db()).remove(t.id, user, [
        sessions().endForAgentStatement(t.id, user, "agent_removed", now()),
      ]),
    ).toBe("last_admin");
    expect(await sessions().findLive(t.id, id, now())).toMatchObject({ userId: user });
  });
});

describeOnEachDialect("the console's tenant queries", (db) => {
  const tenants = () => new TenantRepository(db(), clock, cryptoRandom);
  const agents = () => new AgentRepository(db());
  const tenant = (prefix: string) =>
    tenants().create({ slug: unique(prefix), name: "T", sessionTimeoutSeconds: null, mfaRequired: false });

  it("pages the tenants where a user holds one of the given roles, by slug, with that role", async () => {
    const user = await insertUser(db());
    const [a, b, c, usuarioIn, elsewhere] = [
      await tenant("ma"),
      await tenant("mb"),
      await tenant("mc"),
      await tenant("mu"),
      await tenant("mx"),
    ];
    await agents().assign(a.id, user, "gestor", clock.now());
    await agents().assign(b.id, user, "admin", clock.now());
    await agents().assign(c.id, user, "gestor", clock.now());
    await agents().assign(usuarioIn.id, user, "usuario", clock.now());
    await agents().assign(elsewhere.id, await insertUser(db()), "admin", clock.now());

    const first = await tenants().membershipsOf(user, ["admin", "gestor"], { limit: 2 });
    expect(first.items).toEqual([
      { tenant: { id: a.id, slug: a.slug, name: "T" }, role: "gestor" },
      { tenant: { id: b.id, slug: b.slug, name: "T" }, role: "admin" },
    ]);
    expect(first.nextCursor).not.toBeNull();
    const second = await tenants().membershipsOf(user, ["admin", "gestor"], {
      limit: 2,
      cursor: first.nextCursor!,
    });
    expect(second).toEqual({
      items: [{ tenant: { id: c.id, slug: c.slug, name: "T" }, role: "gestor" }],
      nextCursor: null,
    });
    expect(
      (await tenants().membershipsOf(user, ["usuario"], { limit: 10 })).items.map((i) => i.tenant.id),
    ).toEqual([usuarioIn.id]);
    expect(await tenants().membershipsOf(user, [], { limit: 10 })).toEqual({ items: [], nextCursor: null });
  });

  it("counts each tenant's agents in one grouped read, tenants without agents absent", async () => {
    const [busy, quiet, empty] = [await tenant("ca"), await tenant("cb"), await tenant("cc")];
    for (const role of ["admin", "gestor", "usuario"] as const) {
      await agents().assign(busy.id, await insertUser(db()), role, clock.now());
    }
    await agents().assign(quiet.id, await insertUser(db()), "usuario", clock.now());
    const counts = await agents().countByTenant([busy.id, quiet.id, empty.id]);
    expect([...counts.entries()].sort()).toEqual(
      [
        [busy.id, 3],
        [quiet.id, 1],
      ].sort(),
    );
    expect(await agents().countByTenant([])).toEqual(new Map());
    // More ids than one statement binds: counted in slices, the same answer.
    const many = [...Array.from({ length: 120 }, () => `tnt_${unique()}`), busy.id];
    expect((await agents().countByTenant(many)).get(busy.id)).toBe(3);
  });
});
