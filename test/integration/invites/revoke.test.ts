import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { RevokeInviteResponse } from "../../../src/features/invites/routes/revoke";
import { createHarness, expectProblem, type Harness, jsonRequest } from "../../helpers/accounts";
import { type Actor, auditRowsFromNow, createInvite, tenantSlug, userWithRole } from "../../helpers/invites";
import { parseExposition, total } from "../../helpers/prometheus";

// The harness sends its own client IP (h.clientIp); its audit rows are matched by it.
const CLIENT = { "user-agent": "admin-console/2" };
const revoke = (h: Harness, actor: Actor, codeOrId: string, base = "/api/tokens") =>
  h.send(`${base}/${codeOrId}/revogar/`, { method: "POST", headers: { ...actor.auth, ...CLIENT } });

async function setup(vars: Record<string, string> = {}) {
  const h = createHarness(vars);
  const org = tenantSlug();
  const gestor = await userWithRole(h.send, "gestor", [org]);
  const otherGestor = await userWithRole(h.send, "gestor", [org]);
  const admin = await userWithRole(h.send, "admin", [org]);
  return { h, org, gestor, otherGestor, admin };
}

describe("POST /api/tokens/{codigo_or_id}/revogar/", () => {
  it("revokes by id, recording who, when, IP and user agent; audited, counted and announced", async () => {
    const { h, gestor } = await setup({ TOKENS_WEBHOOK_URL: "https://hooks.example.com/x" });
    const invite = await createInvite(h.send, gestor);
    const rowsSince = await auditRowsFromNow(h);
    const before = total(
      parseExposition(await (await h.send("/metrics")).text()),
      "tokens_invites_revoked_total",
    );
    h.clock.advance(5000);

    const response = await revoke(h, gestor, invite.id);
    expect(response.status).toBe(200);
    const body = (await response.json()) as RevokeInviteResponse;
    expect(body).toMatchObject({
      id: invite.id,
      estado: "revogado",
      revoked_by: gestor.userId,
      revoked_at: h.clock.now().toISOString(),
      used_by: null,
    });
    expect(body).not.toHaveProperty("codigo");
    const stored = await env.DB.prepare("SELECT revoked_ip, revoked_user_agent FROM invites WHERE id = ?")
      .bind(invite.id)
      .first();
    expect(stored).toEqual({ revoked_ip: h.clientIp, revoked_user_agent: "admin-console/2" });
    const rows = await rowsSince();
    expect(
      rows.map((row) => [row.event, row.result, row.actor_id, row.target_id, row.ip, row.user_agent]),
    ).toEqual([["invite.revoke", "success", gestor.userId, invite.id, h.clientIp, "admin-console/2"]]);
    expect(h.webhooks.map((message) => message.event)).toEqual(["invite.created", "invite.revoked"]);
    const after = total(
      parseExposition(await (await h.send("/metrics")).text()),
      "tokens_invites_revoked_total",
    );
    expect(after - before).toBe(1);
  });

  it("revokes by code (seed 000's form) and through the alias path; the code never reaches the audit log", async () => {
    const { h, admin } = await setup();
    const first = await createInvite(h.send, admin);
    const second = await createInvite(h.send, admin);
    expect((await revoke(h, admin, first.codigo)).status).toBe(200);
    expect((await revoke(h, admin, second.codigo, "/api/tokens/tokens")).status).toBe(200);
    const stored = await env.DB.prepare("SELECT estado FROM invites WHERE id IN (?, ?)")
      .bind(first.id, second.id)
      .all();
    expect(stored.results).toEqual([{ estado: "revogado" }, { estado: "revogado" }]);
    const audit = await env.DB.prepare("SELECT * FROM audit_logs").all();
    expect(JSON.stringify(audit.results)).not.toContain(first.codigo.slice(8));
  });

  it("a gestor revokes only their own invites (403); admins any invite of their organisations", async () => {
    const { h, gestor, otherGestor, admin } = await setup();
    const mine = await createInvite(h.send, gestor);
    const theirs = await createInvite(h.send, otherGestor);
    await expectProblem(await revoke(h, gestor, theirs.id), 403, "FORBIDDEN");
    await expectProblem(await revoke(h, gestor, theirs.codigo), 403, "FORBIDDEN");
    expect((await revoke(h, admin, theirs.id)).status).toBe(200);
    expect((await revoke(h, gestor, mine.id)).status).toBe(200);
    const refusal = (
      await env.DB.prepare(
        "SELECT reason FROM audit_logs WHERE event = 'invite.revoke' AND actor_id = ? AND result = 'failure'",
      )
        .bind(gestor.userId)
        .all<{ reason: string }>()
    ).results;
    expect(refusal).toEqual([{ reason: "not_creator" }, { reason: "not_creator" }]);
  });

  it("404 for another organisation's invite (even for an admin), an unknown id or code; root sees every one", async () => {
    const { h, admin } = await setup();
    const stranger = await userWithRole(h.send, "admin", [tenantSlug()]);
    const invite = await createInvite(h.send, admin);
    await expectProblem(await revoke(h, stranger, invite.id), 404, "NOT_FOUND");
    await expectProblem(await revoke(h, stranger, invite.codigo), 404, "NOT_FOUND");
    await expectProblem(await revoke(h, admin, "inv_06h2t030tm65x11y2aewd3bvh0"), 404);
    await expectProblem(await revoke(h, admin, `${invite.codigo.slice(0, -1)}x`), 404);
    const root = await userWithRole(h.send, "root");
    expect((await revoke(h, root, invite.id)).status).toBe(200);
  });

  it("409 for a used or revoked invite, 410 for an expired one", async () => {
    const { h, admin } = await setup();
    const user = await userWithRole(h.send, "usuario");
    const used = await createInvite(h.send, admin);
    expect(
      (await h.send(`/api/tokens/${used.id}/use/`, jsonRequest({ codigo: used.codigo }, user.auth))).status,
    ).toBe(200);
    await expectProblem(await revoke(h, admin, used.id), 409, "CONFLICT");
    const revoked = await createInvite(h.send, admin);
    expect((await revoke(h, admin, revoked.id)).status).toBe(200);
    await expectProblem(await revoke(h, admin, revoked.id), 409, "CONFLICT");
    const expiring = await createInvite(h.send, admin, {
      tipo_destino: "associado",
      data_expiracao: new Date(h.clock.now().getTime() + 1000).toISOString(),
    });
    h.clock.advance(1000);
    await expectProblem(await revoke(h, admin, expiring.id), 410, "GONE");
  });

  it("401 without a token, 403 for a usuario", async () => {
    const { h, admin } = await setup();
    const invite = await createInvite(h.send, admin);
    await expectProblem(await h.send(`/api/tokens/${invite.id}/revogar/`, { method: "POST" }), 401);
    const usuario = await userWithRole(h.send, "usuario", [tenantSlug()]);
    await expectProblem(await revoke(h, usuario, invite.id), 403);
  });

  it("two concurrent revocations: one 200, one 409", async () => {
    const { h, admin, gestor } = await setup();
    const invite = await createInvite(h.send, gestor);
    const rowsSince = await auditRowsFromNow(h);
    const statuses = (await Promise.all([revoke(h, admin, invite.id), revoke(h, gestor, invite.id)])).map(
      (response) => response.status,
    );
    expect(statuses.sort()).toEqual([200, 409]);
    expect((await rowsSince()).map((row) => row.result).sort()).toEqual(["failure", "success"]);
  });

  it("the same admin revoking twice at the same instant: one success row, one refusal", async () => {
    const { h, admin, gestor } = await setup();
    const invite = await createInvite(h.send, gestor);
    const rowsSince = await auditRowsFromNow(h);
    const statuses = (await Promise.all([revoke(h, admin, invite.id), revoke(h, admin, invite.id)])).map(
      (response) => response.status,
    );
    expect(statuses.sort()).toEqual([200, 409]);
    expect((await rowsSince()).map((row) => row.result).sort()).toEqual(["failure", "success"]);
  });
});
