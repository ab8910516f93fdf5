import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ListAuditLogsResponse } from "../../../src/features/audit/routes/list";
import type { VerifyAuditChainResponse } from "../../../src/features/audit/routes/verify";
import {
  createHarness,
  expectInvalidFields,
  expectProblem,
  type Harness,
  jsonRequest,
} from "../../helpers/accounts";
import { type Actor, createInvite, tenantSlug, userWithRole } from "../../helpers/invites";

const list = async (h: Harness, actor: Actor, query = ""): Promise<ListAuditLogsResponse> => {
  const response = await h.send(`/api/audit-logs/${query}`, { headers: actor.auth });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as ListAuditLogsResponse;
};
const verify = async (h: Harness, actor: Actor, body?: Record<string, unknown>) => {
  const response = await h.send(
    "/api/audit-logs/verify/",
    body === undefined ? { method: "POST", headers: actor.auth } : jsonRequest(body, actor.auth),
  );
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as VerifyAuditChainResponse;
};

describe("GET /api/audit-logs/", () => {
  it("root reads every row; an admin only the rows of their organisations; filters and pages", async () => {
    const h = createHarness();
    const [mine, theirs] = [tenantSlug(), tenantSlug()];
    const admin = await userWithRole(h.send, "admin", [mine]);
    const other = await userWithRole(h.send, "admin", [theirs]);
    const root = await userWithRole(h.send, "root");
    h.clock.advance(1000);
    const start = h.clock.now().toISOString();
    const own = await createInvite(h.send, admin);
    h.clock.advance(1000);
    const foreign = await createInvite(h.send, other);
    h.clock.advance(1000);
    await h.send(`/api/tokens/${own.id}/revogar/`, { method: "POST", headers: admin.auth });

    const mineRows = await list(h, admin, `?from=${start}`);
    expect(mineRows.items.map((row) => [row.action, row.target_id])).toEqual([
      ["invite.revoke", own.id],
      ["invite.create", own.id],
    ]);
    expect(mineRows.items.every((row) => row.tenant_id === own.organizacao_id)).toBe(true);
    const everything = await list(h, root, `?from=${start}`);
    expect(everything.items.map((row) => row.target_id)).toEqual([own.id, foreign.id, own.id]);
    // Rows without an organisation (registrations, logins) are root's alone.
    expect((await list(h, admin, "?action=auth.register")).items).toEqual([]);
    expect((await list(h, root, "?action=auth.register")).items.length).toBeGreaterThanOrEqual(3);

    expect(
      (await list(h, root, `?actor=${other.userId}&from=${start}`)).items.map((row) => row.target_id),
    ).toEqual([foreign.id]);
    expect((await list(h, root, `?target=${own.id}&action=invite.create`)).items).toHaveLength(1);
    expect((await list(h, root, `?target=${own.id}&target_type=user`)).items).toEqual([]);
    const until = new Date(Date.parse(start) + 1000).toISOString();
    expect((await list(h, root, `?from=${start}&to=${until}`)).items.map((row) => row.action)).toEqual([
      "invite.create",
    ]);

    const first = await list(h, root, `?from=${start}&limit=2`);
    expect(first.items).toHaveLength(2);
    const rest = await list(h, root, `?from=${start}&limit=2&cursor=${first.next_cursor}`);
    expect(rest).toMatchObject({ next_cursor: null });
    expect([...first.items, ...rest.items].map((row) => row.id)).toEqual(
      everything.items.map((row) => row.id),
    );
  });

  it("escapes and caps user agents; shows each row's place in the chain once sealed", async () => {
    const h = createHarness();
    const root = await userWithRole(h.send, "root");
    const agent = `bot\u0007\u001b[31m${"x".repeat(600)}`;
    await h.send("/api/tokens/validate/?codigo=nothing", { headers: { "user-agent": agent } });
    const [row] = (await list(h, root, "?action=invite.validate&limit=1")).items;
    expect(row!.user_agent).toHaveLength(256);
    expect(row!.user_agent!.startsWith("bot\\u{7}\\u{1b}[31mxxx")).toBe(true);
    expect(row!.user_agent!.endsWith("…")).toBe(true);
    expect(row!.chain).toBeNull();
    await verify(h, root);
    const [sealed] = (await list(h, root, "?action=invite.validate&limit=1")).items;
    expect(sealed!.chain).toEqual({ seq: expect.any(Number), hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it("400 for bad filters, 401 without a token, 403 below admin", async () => {
    const h = createHarness();
    const root = await userWithRole(h.send, "root");
    expect(
      await expectInvalidFields(await h.send("/api/audit-logs/?from=yesterday", { headers: root.auth })),
    ).toEqual(["query.from"]);
    expect(
      await expectInvalidFields(await h.send("/api/audit-logs/?cursor=abc", { headers: root.auth })),
    ).toEqual(["query.cursor"]);
    await expectProblem(await h.send("/api/audit-logs/"), 401);
    await expectProblem(await h.send("/api/audit-logs/verify/", { method: "POST" }), 401);
    const gestor = await userWithRole(h.send, "gestor", [tenantSlug()]);
    await expectProblem(await h.send("/api/audit-logs/", { headers: gestor.auth }), 403);
    await expectProblem(
      await h.send("/api/audit-logs/verify/", { method: "POST", headers: gestor.auth }),
      403,
    );
  });
});

describe("POST /api/audit-logs/verify/ (hash chain)", () => {
  it("seals new rows and checks clean; an edited row is reported as the first broken link", async () => {
    const h = createHarness();
    const admin = await userWithRole(h.send, "admin", [tenantSlug()]);
    const invite = await createInvite(h.send, admin);
    const clean = await verify(h, admin);
    expect(clean).toMatchObject({ valid: true, unsealed: 0, first_broken: null, next_after_seq: null });
    expect(clean.sealed_now).toBeGreaterThan(0);
    expect(clean.checked).toEqual({ from_seq: 1, to_seq: clean.head!.seq });

    // Someone with database access rewrites history: the invite was never created by this admin.
    const row = await env.DB.prepare(
      "SELECT id, seq FROM audit_logs WHERE event = 'invite.create' AND target_id = ?",
    )
      .bind(invite.id)
      .first<{ id: string; seq: number }>();
    await env.DB.prepare("UPDATE audit_logs SET actor_id = 'usr_someone_else' WHERE id = ?")
      .bind(row!.id)
      .run();
    await h.send("/api/tokens/validate/?codigo=after-the-edit");
    const broken = await verify(h, admin, { limit: 5000 });
    expect(broken).toMatchObject({
      valid: false,
      sealed_now: 1,
      first_broken: { seq: row!.seq, id: row!.id, problem: "altered" },
      next_after_seq: null,
    });
    // Checking from after the edited row finds the rest of the chain whole.
    expect(await verify(h, admin, { after_seq: row!.seq })).toMatchObject({ valid: true });
  });

  it("400 for a bad page", async () => {
    const h = createHarness();
    const admin = await userWithRole(h.send, "admin");
    expect(
      await expectInvalidFields(
        await h.send("/api/audit-logs/verify/", jsonRequest({ limit: 0, after_seq: -1 }, admin.auth)),
      ),
    ).toEqual(["body.after_seq", "body.limit"]);
  });
});
