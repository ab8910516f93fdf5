import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { UseInviteResponse } from "../../../src/features/invites/routes/use";
import {
  createHarness,
  expectInvalidFields,
  expectProblem,
  type Harness,
  jsonRequest,
} from "../../helpers/accounts";
import { type Actor, auditRowsFromNow, createInvite, tenantSlug, userWithRole } from "../../helpers/invites";
import { parseExposition, total } from "../../helpers/prometheus";

const useInvite = (
  h: Harness,
  actor: Actor,
  id: string,
  body: Record<string, unknown>,
  base = "/api/tokens",
) =>
  h.send(
    `${base}/${id}/use/`,
    // The harness sends its own client IP (h.clientIp): its audit rows are matched by it.
    jsonRequest(body, { ...actor.auth, "user-agent": "invitee-app/1.0" }),
  );

async function membership(userId: string, tenantId: string) {
  return env.DB.prepare("SELECT role, nucleos FROM tenant_members WHERE user_id = ? AND tenant_id = ?")
    .bind(userId, tenantId)
    .first<{ role: string; nucleos: string | null }>();
}

async function setup(vars: Record<string, string> = {}) {
  const h = createHarness(vars);
  const admin = await userWithRole(h.send, "admin", [tenantSlug()]);
  return { h, admin };
}

describe("POST /api/tokens/{id}/use/", () => {
  it("joins the organisation with the profile's role and nucleos; the global role and a body role are ignored", async () => {
    const { h, admin } = await setup({ TOKENS_WEBHOOK_URL: "https://hooks.example.com/x" });
    const invite = await createInvite(h.send, admin, { tipo_destino: "gestor", nucleos: ["norte"] });
    const user = await userWithRole(h.send, "usuario");
    const rowsSince = await auditRowsFromNow(h);
    const before = total(
      parseExposition(await (await h.send("/metrics")).text()),
      "tokens_invites_used_total",
    );

    const response = await useInvite(h, user, invite.id, {
      codigo: invite.codigo,
      role: "admin",
      tipo_destino: "admin",
    });
    expect(response.status).toBe(200);
    expect((await response.json()) as UseInviteResponse).toEqual({
      id: invite.id,
      estado: "usado",
      organizacao: invite.organizacao,
      organizacao_id: invite.organizacao_id,
      role: "gestor",
      nucleos: ["norte"],
      used_at: h.clock.now().toISOString(),
    });
    expect(await membership(user.userId, invite.organizacao_id)).toEqual({
      role: "gestor",
      nucleos: '["norte"]',
    });
    const global = await env.DB.prepare("SELECT role FROM users WHERE id = ?")
      .bind(user.userId)
      .first<{ role: string }>();
    expect(global?.role).toBe("usuario");
    const stored = await env.DB.prepare(
      "SELECT estado, used_by, used_ip, used_user_agent FROM invites WHERE id = ?",
    )
      .bind(invite.id)
      .first();
    expect(stored).toEqual({
      estado: "usado",
      used_by: user.userId,
      used_ip: h.clientIp,
      used_user_agent: "invitee-app/1.0",
    });
    const rows = await rowsSince();
    expect(
      rows.map((row) => [row.event, row.result, row.actor_id, row.target_id, row.ip, row.user_agent]),
    ).toEqual([["invite.use", "success", user.userId, invite.id, h.clientIp, "invitee-app/1.0"]]);
    expect(JSON.stringify(rows)).not.toContain(invite.codigo.slice(8));
    expect(h.webhooks.map((message) => message.event)).toEqual(["invite.created", "invite.used"]);
    const after = total(
      parseExposition(await (await h.send("/metrics")).text()),
      "tokens_invites_used_total",
    );
    expect(after - before).toBe(1);
    // The new membership shows in the user's next tokens (the `institutions` claim).
    const me = await h.send("/auth/login", jsonRequest(user.credentials));
    const { accessToken } = (await me.json()) as { accessToken: string };
    const claims = JSON.parse(atob(accessToken.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")));
    expect(claims.institutions).toEqual([invite.organizacao]);
  });

  it("fifty concurrent uses: exactly one succeeds, the others are 409", async () => {
    const { h, admin } = await setup();
    const invite = await createInvite(h.send, admin);
    const user = await userWithRole(h.send, "usuario");
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        useInvite(
          h,
          user,
          invite.id,
          { codigo: invite.codigo },
          index % 2 === 0 ? "/api/tokens" : "/api/tokens/tokens",
        ),
      ),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(49);
    // One use, one success row: the losers (same user, same instant) record only their refusal.
    const { results } = await env.DB.prepare(
      "SELECT result, COUNT(*) AS n FROM audit_logs WHERE event = 'invite.use' AND target_id = ? GROUP BY result ORDER BY result",
    )
      .bind(invite.id)
      .all();
    expect(results).toEqual([
      { result: "failure", n: 49 },
      { result: "success", n: 1 },
    ]);
  });

  it("409 once used or revoked, 410 once expired, 404 for another code or an unknown id", async () => {
    const { h, admin } = await setup();
    const user = await userWithRole(h.send, "usuario");
    const used = await createInvite(h.send, admin);
    expect((await useInvite(h, user, used.id, { codigo: used.codigo })).status).toBe(200);
    await expectProblem(await useInvite(h, user, used.id, { codigo: used.codigo }), 409, "CONFLICT");

    const revoked = await createInvite(h.send, admin);
    expect(
      (await h.send(`/api/tokens/${revoked.id}/revogar/`, { method: "POST", headers: admin.auth })).status,
    ).toBe(200);
    await expectProblem(await useInvite(h, user, revoked.id, { codigo: revoked.codigo }), 409, "CONFLICT");

    const expiring = await createInvite(h.send, admin, {
      tipo_destino: "associado",
      data_expiracao: new Date(h.clock.now().getTime() + 1000).toISOString(),
    });
    const other = await createInvite(h.send, admin);
    h.clock.advance(1000);
    await expectProblem(await useInvite(h, user, expiring.id, { codigo: expiring.codigo }), 410, "GONE");
    await expectProblem(await useInvite(h, user, expiring.id, { codigo: other.codigo }), 404);
    await expectProblem(
      await useInvite(h, user, "inv_06h2t030tm65x11y2aewd3bvh0", { codigo: other.codigo }),
      404,
    );
    await expectProblem(await useInvite(h, user, other.id, { codigo: "eiv_short" }), 404);
    expect(await membership(user.userId, expiring.organizacao_id)).toMatchObject({ role: "usuario" });
    const reasons = (
      await env.DB.prepare(
        "SELECT reason FROM audit_logs WHERE event = 'invite.use' AND result = 'failure' AND actor_id = ? ORDER BY rowid",
      )
        .bind(user.userId)
        .all<{ reason: string }>()
    ).results.map((row) => row.reason);
    expect(reasons).toEqual(["usado", "revogado", "expirado", "code_mismatch", "not_found", "code_mismatch"]);
  });

  it("never lowers a role the user already holds in the organisation", async () => {
    const { h, admin } = await setup();
    const invite = await createInvite(h.send, admin, { tipo_destino: "associado" });
    const member = await userWithRole(h.send, "usuario");
    await env.DB.prepare(
      "INSERT INTO tenant_members (user_id, tenant_id, created_at, role) VALUES (?, ?, ?, 'admin')",
    )
      .bind(member.userId, invite.organizacao_id, Date.now())
      .run();
    const response = await useInvite(h, member, invite.id, { codigo: invite.codigo });
    expect(((await response.json()) as UseInviteResponse).role).toBe("admin");
  });

  it("400 without a code, 401 without a token", async () => {
    const { h, admin } = await setup();
    const invite = await createInvite(h.send, admin);
    expect(await expectInvalidFields(await useInvite(h, admin, invite.id, {}))).toEqual(["body.codigo"]);
    await expectProblem(
      await h.send(`/api/tokens/${invite.id}/use/`, jsonRequest({ codigo: invite.codigo })),
      401,
    );
  });
});
