import { afterEach, describe, expect, it, vi } from "vitest";
import type { ValidateInviteResponse } from "../../../src/features/invites/routes/validate-query";
import {
  createHarness,
  expectInvalidFields,
  expectProblem,
  type Harness,
  jsonRequest,
} from "../../helpers/accounts";
import { auditRowsFromNow, createInvite, tenantSlug, userWithRole } from "../../helpers/invites";
import { parseExposition, total } from "../../helpers/prometheus";

afterEach(() => {
  vi.restoreAllMocks();
});

const byQuery = (h: Harness, codigo: string, base = "/api/tokens") =>
  h.send(`${base}/validate/?codigo=${encodeURIComponent(codigo)}`);
const byBody = (h: Harness, codigo: unknown, base = "/api/tokens") =>
  h.send(`${base}/validate/`, jsonRequest({ codigo }));

async function metrics(h: Harness) {
  const samples = parseExposition(await (await h.send("/metrics")).text());
  return {
    fail: (reason: string) => total(samples, "tokens_validation_fail_total", { reason }),
    timed: total(samples, "tokens_validation_latency_seconds_count"),
  };
}

async function setup() {
  const h = createHarness();
  const gestor = await userWithRole(h.send, "gestor", [tenantSlug()]);
  return { h, gestor };
}

describe("GET|POST /api/tokens/validate/", () => {
  it("a new invite is valid through every form and path; each call is audited and timed", async () => {
    const { h, gestor } = await setup();
    const invite = await createInvite(h.send, gestor, { tipo_destino: "gestor" });
    const rowsSince = await auditRowsFromNow(h);
    const before = await metrics(h);
    const responses = [
      await byQuery(h, invite.codigo),
      await byBody(h, invite.codigo),
      await byQuery(h, invite.codigo, "/api/tokens/tokens"),
      await byBody(h, invite.codigo, "/api/tokens/tokens"),
    ];
    for (const response of responses) {
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect((await response.json()) as ValidateInviteResponse).toEqual({
        valido: true,
        estado: "novo",
        id: invite.id,
        tipo_destino: "gestor",
        organizacao: invite.organizacao,
        data_expiracao: invite.data_expiracao,
      });
    }
    const rows = await rowsSince();
    expect(rows.map((row) => [row.event, row.result, row.target_id, row.tenant_id, row.actor_id])).toEqual(
      Array(4).fill(["invite.validate", "success", invite.id, invite.organizacao_id, null]),
    );
    expect(JSON.stringify(rows)).not.toContain(invite.codigo.slice(8));
    expect((await metrics(h)).timed - before.timed).toBe(4);
  });

  it("reports the state now: expirado past data_expiracao (before any cleanup), usado, revogado", async () => {
    const { h, gestor } = await setup();
    const expiring = await createInvite(h.send, gestor, {
      tipo_destino: "associado",
      data_expiracao: new Date(h.clock.now().getTime() + 60_000).toISOString(),
    });
    const used = await createInvite(h.send, gestor);
    const revoked = await createInvite(h.send, gestor);
    const user = await userWithRole(h.send, "usuario");
    expect(
      (await h.send(`/api/tokens/${used.id}/use/`, jsonRequest({ codigo: used.codigo }, user.auth))).status,
    ).toBe(200);
    expect(
      (await h.send(`/api/tokens/${revoked.id}/revogar/`, { method: "POST", headers: gestor.auth })).status,
    ).toBe(200);
    const before = await metrics(h);

    h.clock.advance(60_000);
    const states = [];
    for (const invite of [expiring, used, revoked]) {
      const response = await byBody(h, invite.codigo);
      expect(response.status).toBe(200);
      const body = (await response.json()) as ValidateInviteResponse;
      states.push([body.estado, body.valido]);
    }
    expect(states).toEqual([
      ["expirado", false],
      ["usado", false],
      ["revogado", false],
    ]);
    const after = await metrics(h);
    expect(
      ["expired", "used", "revoked", "not_found"].map((reason) => after.fail(reason) - before.fail(reason)),
    ).toEqual([1, 1, 1, 0]);
  });

  it("404 for an unknown or malformed code, counted as not_found and audited without the code", async () => {
    const { h, gestor } = await setup();
    const invite = await createInvite(h.send, gestor);
    const unknown = `${invite.codigo.slice(0, -1)}${invite.codigo.endsWith("A") ? "E" : "A"}`;
    const rowsSince = await auditRowsFromNow(h);
    const before = await metrics(h);
    await expectProblem(await byQuery(h, unknown), 404, "NOT_FOUND");
    await expectProblem(await byBody(h, "not-a-code"), 404, "NOT_FOUND");
    await expectProblem(await byBody(h, invite.id), 404, "NOT_FOUND");
    expect((await metrics(h)).fail("not_found") - before.fail("not_found")).toBe(3);
    const rows = await rowsSince();
    expect(rows.map((row) => [row.event, row.result, row.reason, row.target_id])).toEqual(
      Array(3).fill(["invite.validate", "failure", "not_found", null]),
    );
    expect(JSON.stringify(rows)).not.toContain(unknown.slice(8));
  });

  it("400 without a code, in the query or in the body", async () => {
    const h = createHarness();
    expect(await expectInvalidFields(await h.send("/api/tokens/validate/"))).toEqual(["query.codigo"]);
    expect(await expectInvalidFields(await h.send("/api/tokens/validate/?codigo="))).toEqual([
      "query.codigo",
    ]);
    expect(await expectInvalidFields(await byBody(h, 42))).toEqual(["body.codigo"]);
    expect(await expectInvalidFields(await h.send("/api/tokens/validate/", jsonRequest({})))).toEqual([
      "body.codigo",
    ]);
  });

  it("never writes the code to a log line, even the one of a code in the URL", async () => {
    const { h, gestor } = await setup();
    const invite = await createInvite(h.send, gestor);
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: string) => {
      lines.push(line);
    });
    const logged = createHarness({ LOG_LEVEL: "debug" });
    await byQuery(logged, invite.codigo);
    await byBody(logged, invite.codigo);
    await byQuery(logged, `${invite.codigo.slice(0, -2)}xx`);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join("\n")).not.toContain(invite.codigo.slice(8));
  });

  it("is rate limited per client IP: 429 with Retry-After, counted in tokens_rate_limited_total", async () => {
    const h = createHarness({ RATE_LIMIT_INVITES_VALIDATE_IP: "3/60s" });
    const ip = { "cf-connecting-ip": "198.51.100.77" };
    const other = { "cf-connecting-ip": "198.51.100.78" };
    const labels = { route: "/api/tokens/validate/", policy: "invites_validate_ip" };
    const before = total(
      parseExposition(await (await h.send("/metrics")).text()),
      "tokens_rate_limited_total",
      labels,
    );
    for (let i = 0; i < 3; i++) {
      await expectProblem(await h.send("/api/tokens/validate/?codigo=x", { headers: ip }), 404);
    }
    const refused = await h.send("/api/tokens/validate/", jsonRequest({ codigo: "x" }, ip));
    await expectProblem(refused, 429, "RATE_LIMITED");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    await expectProblem(await h.send("/api/tokens/validate/?codigo=x", { headers: other }), 404);
    const after = total(
      parseExposition(await (await h.send("/metrics")).text()),
      "tokens_rate_limited_total",
      labels,
    );
    expect(after - before).toBe(1);
  });
});
