import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { buildApp } from "../../../src/app";
import { loadConfig } from "../../../src/config";
import type { CreateInviteResponse } from "../../../src/features/invites/routes/create";
import { openWebhookPayload } from "../../../src/features/webhooks/events";
import { secretBoxCipher } from "../../../src/features/webhooks/secret-box-cipher";
import { DAY_MS } from "../../../src/platform/clock";
import { cryptoRandom } from "../../../src/platform/random";
import { SecretBox } from "../../../src/platform/secret-box";
import { createHarness, expectInvalidFields, expectProblem, jsonRequest } from "../../helpers/accounts";
import { constantRandom } from "../../helpers/email";
import {
  auditRowsFromNow,
  createInvite,
  createInviteRequest,
  devAdmin,
  ensureTenants,
  joinTenantsAs,
  signInAgain,
  tenantSlug,
  userWithRole,
} from "../../helpers/invites";
import { parseExposition, total } from "../../helpers/prometheus";

const WEBHOOK_URL = "https://hooks.example.com/edge-auth";
const CODE = /^eiv_[A-Za-z0-9_-]{43}$/;

const dataCipher = async () => {
  const config = loadConfig(env);
  return secretBoxCipher(
    await SecretBox.fromKeys(config.encryption.data.current, config.encryption.data.previous),
  );
};

describe("POST /api/tokens/ (create an invite)", () => {
  it("201 with the invite and a 256-bit code shown once; only its hash is stored; audited, counted, announced", async () => {
    const h = createHarness({ TOKENS_WEBHOOK_URL: WEBHOOK_URL });
    const org = tenantSlug();
    const gestor = await userWithRole(h.send, "gestor", [org]);
    const before = parseExposition(await (await h.send("/metrics")).text());

    const inAMonth = new Date(h.clock.now().getTime() + 30 * DAY_MS).toISOString().slice(0, 10);
    const response = await createInviteRequest(h.send, gestor, {
      tipo_destino: "associado",
      nucleos: ["norte", 12],
      data_expiracao: inAMonth,
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const invite = (await response.json()) as CreateInviteResponse;
    expect(invite).toEqual({
      id: expect.stringMatching(/^inv_[0-9a-z]{26}$/),
      codigo: expect.stringMatching(CODE),
      code_prefix: invite.codigo.slice(0, 8),
      tipo_destino: "associado",
      role: "usuario",
      organizacao: org,
      organizacao_id: (await ensureTenants(org))[org],
      nucleos: ["norte", 12],
      data_expiracao: new Date(Date.parse(`${inAMonth}T00:00:00Z`) + DAY_MS).toISOString(),
      estado: "novo",
      created_by: gestor.userId,
      created_at: h.clock.now().toISOString(),
      used_by: null,
      used_at: null,
      revoked_by: null,
      revoked_at: null,
      daily_quota: { limit: 5, used: 1, remaining: 4 },
    });

    const stored = await env.DB.prepare("SELECT * FROM invites WHERE id = ?").bind(invite.id).first();
    expect(JSON.stringify(stored)).not.toContain(invite.codigo);
    expect(stored).toMatchObject({
      code_prefix: invite.code_prefix,
      estado: "novo",
      tenant_id: invite.organizacao_id,
    });
    const rows = (await h.auditRows()).filter((row) => row.target_id === invite.id);
    expect(rows.map((row) => [row.event, row.result, row.actor_id, row.tenant_id])).toEqual([
      ["invite.create", "success", gestor.userId, invite.organizacao_id],
    ]);
    expect(JSON.stringify(await h.auditRows())).not.toContain(invite.codigo.slice(8));

    // The webhook message is sealed: the code is in it only once opened with the data key.
    const [message] = h.webhooks;
    expect(h.webhooks).toHaveLength(1);
    expect(JSON.stringify(message)).not.toContain(invite.codigo);
    const opened = await openWebhookPayload(message!, await dataCipher());
    expect(opened).toMatchObject({
      ok: true,
      payload: {
        event: "invite.created",
        id: invite.id,
        code: invite.codigo,
        occurred_at: invite.created_at,
      },
    });

    const after = parseExposition(await (await h.send("/metrics")).text());
    expect(total(after, "tokens_invites_created_total") - total(before, "tokens_invites_created_total")).toBe(
      1,
    );
  });

  it("serves the alias /api/tokens/tokens/ with the same rules, and queues nothing while webhooks are off", async () => {
    const h = createHarness();
    const admin = await devAdmin(h.send);
    const response = await createInviteRequest(
      h.send,
      admin,
      { tipo_destino: "admin" },
      "/api/tokens/tokens/",
    );
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({
      tipo_destino: "admin",
      role: "admin",
      organizacao: "default",
    });
    expect(h.webhooks).toEqual([]);
  });

  it("defaults data_expiracao to INVITE_TTL from now and accepts a date-time with an offset", async () => {
    const h = createHarness({ INVITE_TTL: "3600" });
    const root = await userWithRole(h.send, "root", [tenantSlug()]);
    const byDefault = await createInvite(h.send, root);
    expect(byDefault.data_expiracao).toBe(new Date(h.clock.now().getTime() + 3_600_000).toISOString());
    const inTwoDays = new Date(h.clock.now().getTime() + 2 * DAY_MS);
    const withOffset = await createInvite(h.send, root, {
      tipo_destino: "colaborador",
      data_expiracao: inTwoDays.toISOString().replace("Z", "+00:00"),
    });
    expect(withOffset.data_expiracao).toBe(inTwoDays.toISOString());
  });

  it("400 with field errors for a missing or unknown profile, bad dates and nucleos", async () => {
    const h = createHarness();
    const root = await userWithRole(h.send, "root");
    const rowsSince = await auditRowsFromNow(h);
    const fields = async (body: Record<string, unknown>) =>
      expectInvalidFields(await createInviteRequest(h.send, root, body));
    expect(await fields({})).toEqual(["body.tipo_destino"]);
    expect(await fields({ tipo_destino: "root" })).toEqual(["body.tipo_destino"]);
    expect(await fields({ tipo_destino: "associado", data_expiracao: "31/12/2099" })).toEqual([
      "body.data_expiracao",
    ]);
    expect(await fields({ tipo_destino: "associado", nucleos: "norte" })).toEqual(["body.nucleos"]);
    expect(await fields({ tipo_destino: "associado", organizacao: "" })).toEqual(["body.organizacao"]);
    const yesterday = new Date(h.clock.now().getTime() - DAY_MS).toISOString().slice(0, 10);
    expect(await fields({ tipo_destino: "associado", data_expiracao: yesterday })).toEqual([
      "body.data_expiracao",
    ]);
    const now = h.clock.now().toISOString();
    expect(await fields({ tipo_destino: "associado", data_expiracao: now })).toEqual(["body.data_expiracao"]);
    const tooFar = new Date(h.clock.now().getTime() + 400 * DAY_MS).toISOString();
    expect(await fields({ tipo_destino: "associado", data_expiracao: tooFar })).toEqual([
      "body.data_expiracao",
    ]);
    await expectProblem(await h.send("/api/tokens/", { method: "POST", headers: root.auth, body: "x" }), 415);
    const refusals = (await rowsSince()).filter((row) => row.event === "invite.create");
    expect(refusals.map((row) => row.reason)).toEqual(["expiry_in_past", "expiry_in_past", "expiry_too_far"]);
  });

  it("401 without a valid bearer token, 403 for a usuario", async () => {
    const h = createHarness();
    await expectProblem(await h.send("/api/tokens/", jsonRequest({ tipo_destino: "associado" })), 401);
    await expectProblem(
      await h.send(
        "/api/tokens/",
        jsonRequest({ tipo_destino: "associado" }, { authorization: "Bearer nope" }),
      ),
      401,
    );
    const usuario = await userWithRole(h.send, "usuario", [tenantSlug()]);
    await expectProblem(
      await createInviteRequest(h.send, usuario, { tipo_destino: "associado" }),
      403,
      "FORBIDDEN",
    );
  });

  it("403 for a profile above the issuer's role: a gestor invites up to gestor, an admin up to admin", async () => {
    const h = createHarness();
    const org = tenantSlug();
    const gestor = await userWithRole(h.send, "gestor", [org]);
    const admin = await userWithRole(h.send, "admin", [org]);
    await expectProblem(await createInviteRequest(h.send, gestor, { tipo_destino: "admin" }), 403);
    expect((await createInvite(h.send, gestor, { tipo_destino: "gestor" })).role).toBe("gestor");
    expect((await createInvite(h.send, admin, { tipo_destino: "admin" })).role).toBe("admin");
    const refusal = (await h.auditRows()).find((row) => row.reason === "profile_above_role");
    expect(refusal).toMatchObject({ event: "invite.create", result: "failure", actor_id: gestor.userId });
  });

  it("403 where the issuer's tenant role is lower: a global gestor who is a plain member grants nothing there", async () => {
    const h = createHarness();
    const [member, managed] = [tenantSlug(), tenantSlug()];
    const ids = await ensureTenants(member, managed);
    const gestor = await userWithRole(h.send, "gestor", [member], "usuario");
    await joinTenantsAs(gestor.userId, "gestor", managed);
    for (const tipo_destino of ["gestor", "associado"] as const) {
      const problem = await expectProblem(
        await createInviteRequest(h.send, gestor, { tipo_destino, organizacao: member }),
        403,
        "FORBIDDEN",
      );
      expect(problem.detail).toMatch(/you hold the usuario role/);
    }
    expect((await createInvite(h.send, gestor, { tipo_destino: "gestor", organizacao: managed })).role).toBe(
      "gestor",
    );
    const refusals = (await h.auditRows()).filter((row) => row.reason === "profile_above_tenant_role");
    expect(refusals).toHaveLength(2);
    expect(refusals[0]).toMatchObject({ event: "invite.create", result: "failure", tenant_id: ids[member] });
    // Nothing was reserved for the refusals: the one invite made is the only slot used today.
    expect(
      (await createInvite(h.send, gestor, { tipo_destino: "associado", organizacao: managed })).daily_quota
        .used,
    ).toBe(2);
  });

  it("a global admin acts as admin in the tenants they belong to, whatever their role there", async () => {
    const h = createHarness();
    const org = tenantSlug();
    const admin = await userWithRole(h.send, "admin", [org], "usuario");
    expect((await createInvite(h.send, admin, { tipo_destino: "admin", organizacao: org })).role).toBe(
      "admin",
    );
  });

  it("invites only into the issuer's organisations (root: any); names one by slug, id or number", async () => {
    const h = createHarness();
    const [mine, other, numeric] = [tenantSlug(), tenantSlug(), String(Date.now() % 1_000_000)];
    const ids = await ensureTenants(mine, other, numeric);
    const gestor = await userWithRole(h.send, "gestor", [mine]);
    expect(
      (await createInvite(h.send, gestor, { tipo_destino: "associado", organizacao: ids[mine] })).organizacao,
    ).toBe(mine);
    const refusals = [other, ids[other], "no-such-organisation"];
    const problems = [];
    for (const organizacao of refusals) {
      problems.push(
        await expectProblem(
          await createInviteRequest(h.send, gestor, { tipo_destino: "associado", organizacao }),
          403,
        ),
      );
    }
    // Unknown and not-a-member read the same, so organisations cannot be discovered this way.
    expect(new Set(problems.map((problem) => problem.detail)).size).toBe(1);

    const root = await userWithRole(h.send, "root");
    expect(
      (await createInvite(h.send, root, { tipo_destino: "gestor", organizacao: other })).organizacao,
    ).toBe(other);
    expect(
      (await createInvite(h.send, root, { tipo_destino: "gestor", organizacao: Number(numeric) }))
        .organizacao,
    ).toBe(numeric);
    expect(
      await expectInvalidFields(
        await createInviteRequest(h.send, root, {
          tipo_destino: "gestor",
          organizacao: "no-such-organisation",
        }),
      ),
    ).toEqual(["body.organizacao"]);
  });

  it("without organizacao: the issuer's only organisation, else 400 asking to name one", async () => {
    const h = createHarness();
    const none = await userWithRole(h.send, "gestor");
    const two = await userWithRole(h.send, "gestor", [tenantSlug(), tenantSlug()]);
    const problem = await expectProblem(
      await createInviteRequest(h.send, none, { tipo_destino: "associado" }),
      400,
    );
    expect(problem.errors).toEqual([
      { field: "body.organizacao", message: "is required: you belong to no organisation" },
    ]);
    const several = await expectProblem(
      await createInviteRequest(h.send, two, { tipo_destino: "associado" }),
      400,
    );
    expect(several.errors?.[0]?.message).toMatch(/^is required: you belong to 2 organisations/);
  });
});

describe("daily invite cap (INVITES_DAILY_LIMIT)", () => {
  it("the 6th invite of a UTC day is 429 with Retry-After to midnight; the next day starts from zero", async () => {
    const h = createHarness();
    h.clock.set(Date.UTC(2031, 4, 20, 21, 0, 0));
    const gestor = await userWithRole(h.send, "gestor", [tenantSlug()]);
    const before = parseExposition(await (await h.send("/metrics")).text());
    for (let i = 1; i <= 5; i++) {
      expect((await createInvite(h.send, gestor)).daily_quota).toEqual({
        limit: 5,
        used: i,
        remaining: 5 - i,
      });
    }
    const refused = await createInviteRequest(h.send, gestor, { tipo_destino: "associado" });
    await expectProblem(refused, 429, "RATE_LIMITED");
    expect(refused.headers.get("retry-after")).toBe(String(3 * 3600));
    const after = parseExposition(await (await h.send("/metrics")).text());
    const labels = { route: "/api/tokens/", policy: "invites_daily_cap" };
    expect(
      total(after, "tokens_rate_limited_total", labels) - total(before, "tokens_rate_limited_total", labels),
    ).toBe(1);
    expect((await h.auditRows()).filter((row) => row.reason === "daily_limit")).toHaveLength(1);

    // Access tokens live 15 minutes on the manual clock too: sign in again after each jump.
    h.clock.set(Date.UTC(2031, 4, 20, 23, 59, 59));
    const late = await signInAgain(h.send, gestor);
    const lastSecond = await createInviteRequest(h.send, late, { tipo_destino: "associado" });
    await expectProblem(lastSecond, 429);
    expect(lastSecond.headers.get("retry-after")).toBe("1");
    h.clock.set(Date.UTC(2031, 4, 21, 0, 0, 0));
    const nextDay = await signInAgain(h.send, gestor);
    expect((await createInvite(h.send, nextDay)).daily_quota).toEqual({ limit: 5, used: 1, remaining: 4 });
  });

  it("ten concurrent creations by one issuer with an empty quota: exactly five succeed", async () => {
    const h = createHarness();
    const gestor = await userWithRole(h.send, "gestor", [tenantSlug()]);
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => createInviteRequest(h.send, gestor, { tipo_destino: "associado" })),
    );
    expect(responses.map((response) => response.status).sort()).toEqual([
      201, 201, 201, 201, 201, 429, 429, 429, 429, 429,
    ]);
    const stored = await env.DB.prepare("SELECT COUNT(*) AS n FROM invites WHERE created_by = ?")
      .bind(gestor.userId)
      .first<{ n: number }>();
    expect(stored?.n).toBe(5);
  });

  it("refusals before the reservation (403, 400) do not spend the quota", async () => {
    const h = createHarness({ INVITES_DAILY_LIMIT: "1" });
    const gestor = await userWithRole(h.send, "gestor", [tenantSlug()]);
    await expectProblem(await createInviteRequest(h.send, gestor, { tipo_destino: "admin" }), 403);
    await expectProblem(
      await createInviteRequest(h.send, gestor, { tipo_destino: "associado", organizacao: "elsewhere" }),
      403,
    );
    expect((await createInvite(h.send, gestor)).daily_quota).toEqual({ limit: 1, used: 1, remaining: 0 });
  });
});

describe("daily invite cap: a failed creation gives its slot back", () => {
  it("an insert that fails after the reservation releases the slot (the quota still counts one)", async () => {
    const h = createHarness();
    const gestor = await userWithRole(h.send, "gestor", [tenantSlug()]);
    // A random source stuck on one value makes the second invite's id and code collide with the first's.
    const stuck = buildApp({ clock: h.clock, random: constantRandom(7) });
    const send = async (path: string, init: RequestInit) => {
      const ctx = createExecutionContext();
      const response = await stuck.fetch(new Request(`https://auth.test${path}`, init), env, ctx);
      await waitOnExecutionContext(ctx);
      return response;
    };
    expect((await send("/api/tokens/", jsonRequest({ tipo_destino: "associado" }, gestor.auth))).status).toBe(
      201,
    );
    await expectProblem(
      await send("/api/tokens/", jsonRequest({ tipo_destino: "associado" }, gestor.auth)),
      500,
    );
    const usage = await env.INVITE_QUOTA.getByName(gestor.userId).usage(5, h.clock.now().getTime());
    expect(usage).toEqual({ used: 1, remaining: 4 });
  });
});

describe("a webhook Queue that refuses the event", () => {
  it("does not fail the creation: 201 with the code, the failure logged without it", async () => {
    const h = createHarness();
    const gestor = await userWithRole(h.send, "gestor", [tenantSlug()]);
    const refusing = {
      ...env,
      TOKENS_WEBHOOK_URL: WEBHOOK_URL,
      WEBHOOK_QUEUE: {
        send: async () => {
          throw new Error("Queue send failed: service unavailable");
        },
      },
    } as unknown as Env;
    const lines: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((line: string) => {
      lines.push(line);
    });
    try {
      const app = buildApp({ clock: h.clock, random: cryptoRandom });
      const ctx = createExecutionContext();
      const response = await app.fetch(
        new Request("https://auth.test/api/tokens/", jsonRequest({ tipo_destino: "associado" }, gestor.auth)),
        refusing,
        ctx,
      );
      await waitOnExecutionContext(ctx);
      expect(response.status).toBe(201);
      const { codigo, id } = (await response.json()) as CreateInviteResponse;
      const entry = lines
        .map((line) => JSON.parse(line))
        .find((line) => line.msg === "invite webhook not queued");
      expect(entry).toMatchObject({ level: "error", event: "invite.created", inviteId: id });
      expect(lines.join("\n")).not.toContain(codigo.slice(8));
    } finally {
      spy.mockRestore();
    }
  });
});
