import { describe, expect, it } from "vitest";
import type { ListInvitesResponse } from "../../../src/features/invites/routes/list";
import type { InviteLogsResponse } from "../../../src/features/invites/routes/logs";
import {
  createHarness,
  expectInvalidFields,
  expectProblem,
  type Harness,
  jsonRequest,
} from "../../helpers/accounts";
import { type Actor, createInvite, tenantSlug, userWithRole } from "../../helpers/invites";

const get = async <T>(h: Harness, actor: Actor, path: string): Promise<T> => {
  const response = await h.send(path, { headers: actor.auth });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as T;
};
const ids = (page: ListInvitesResponse) => page.items.map((invite) => invite.id);

async function setup() {
  const h = createHarness();
  const [mine, theirs] = [tenantSlug(), tenantSlug()];
  const gestor = await userWithRole(h.send, "gestor", [mine]);
  const colleague = await userWithRole(h.send, "gestor", [mine]);
  const outsider = await userWithRole(h.send, "admin", [theirs]);
  return { h, mine, theirs, gestor, colleague, outsider };
}

describe("GET /api/tokens/ (list)", () => {
  it("lists the invites of the caller's organisations, newest first, with filters and cursor pages", async () => {
    const { h, mine, gestor, colleague, outsider } = await setup();
    const create = async (actor: Actor, body: Record<string, unknown> = { tipo_destino: "associado" }) => {
      h.clock.advance(1);
      return createInvite(h.send, actor, body);
    };
    const a = await create(gestor);
    const b = await create(colleague, {
      tipo_destino: "associado",
      data_expiracao: new Date(h.clock.now().getTime() + 1000).toISOString(),
    });
    const c = await create(gestor);
    const hidden = await create(outsider);
    h.clock.advance(1000);

    expect(ids(await get(h, gestor, "/api/tokens/"))).toEqual([c.id, b.id, a.id]);
    expect(ids(await get(h, gestor, "/api/tokens/tokens/"))).toEqual([c.id, b.id, a.id]);
    expect(ids(await get(h, outsider, "/api/tokens/"))).toEqual([hidden.id]);
    const expired = await get<ListInvitesResponse>(h, gestor, "/api/tokens/?estado=expirado");
    expect(expired.items.map((invite) => [invite.id, invite.estado])).toEqual([[b.id, "expirado"]]);
    expect(ids(await get(h, gestor, "/api/tokens/?estado=novo"))).toEqual([c.id, a.id]);
    expect(ids(await get(h, gestor, `/api/tokens/?criado_por=${gestor.userId}`))).toEqual([c.id, a.id]);
    expect(ids(await get(h, gestor, `/api/tokens/?organizacao=${mine}`))).toEqual([c.id, b.id, a.id]);
    expect(ids(await get(h, gestor, `/api/tokens/?organizacao=${hidden.organizacao}`))).toEqual([]);
    expect(ids(await get(h, gestor, "/api/tokens/?organizacao=nowhere"))).toEqual([]);

    const first = await get<ListInvitesResponse>(h, gestor, "/api/tokens/?limit=2");
    expect(ids(first)).toEqual([c.id, b.id]);
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = await get<ListInvitesResponse>(
      h,
      gestor,
      `/api/tokens/?limit=2&cursor=${first.next_cursor}`,
    );
    expect(second).toMatchObject({ next_cursor: null });
    expect(ids(second)).toEqual([a.id]);
    // Nothing secret in a listing.
    expect(JSON.stringify(first)).not.toContain(c.codigo);
    expect(first.items[0]).not.toHaveProperty("codigo");

    const root = await userWithRole(h.send, "root");
    const all = ids(await get(h, root, "/api/tokens/?limit=100"));
    expect(all).toEqual(expect.arrayContaining([a.id, b.id, c.id, hidden.id]));
  });

  it("400 for bad filters or a forged cursor, 401 without a token, 403 for a usuario", async () => {
    const { h, gestor } = await setup();
    expect(
      await expectInvalidFields(await h.send("/api/tokens/?estado=perdido", { headers: gestor.auth })),
    ).toEqual(["query.estado"]);
    expect(await expectInvalidFields(await h.send("/api/tokens/?limit=0", { headers: gestor.auth }))).toEqual(
      ["query.limit"],
    );
    expect(
      await expectInvalidFields(await h.send("/api/tokens/?cursor=bm9wZQ", { headers: gestor.auth })),
    ).toEqual(["query.cursor"]);
    await expectProblem(await h.send("/api/tokens/"), 401);
    const usuario = await userWithRole(h.send, "usuario", [tenantSlug()]);
    await expectProblem(await h.send("/api/tokens/", { headers: usuario.auth }), 403);
  });
});

describe("GET /api/tokens/{id}/logs/", () => {
  it("the invite's history newest first, with actor, action, result, IP and escaped user agent; paged", async () => {
    const { h, gestor, colleague } = await setup();
    const invite = await createInvite(h.send, gestor);
    h.clock.advance(1);
    await h.send(`/api/tokens/validate/?codigo=${invite.codigo}`, {
      headers: { "cf-connecting-ip": "203.0.113.5", "user-agent": "evil\u202eagent\u0007" },
    });
    h.clock.advance(1);
    const user = await userWithRole(h.send, "usuario");
    await h.send(`/api/tokens/${invite.id}/use/`, jsonRequest({ codigo: invite.codigo }, user.auth));
    h.clock.advance(1);
    await h.send(`/api/tokens/${invite.id}/revogar/`, { method: "POST", headers: gestor.auth });

    const page = await get<InviteLogsResponse>(h, colleague, `/api/tokens/${invite.id}/logs/`);
    expect(page.items.map((entry) => [entry.action, entry.result, entry.reason, entry.actor_id])).toEqual([
      ["invite.revoke", "failure", "usado", gestor.userId],
      ["invite.use", "success", null, user.userId],
      ["invite.validate", "success", null, null],
      ["invite.create", "success", null, gestor.userId],
    ]);
    const validation = page.items[2]!;
    expect(validation).toMatchObject({ ip: "203.0.113.5", user_agent: "evil\\u{202e}agent\\u{7}" });
    expect(JSON.stringify(page)).not.toContain(invite.codigo.slice(8));

    const first = await get<InviteLogsResponse>(h, gestor, `/api/tokens/tokens/${invite.id}/logs/?limit=3`);
    expect(first.items).toHaveLength(3);
    const rest = await get<InviteLogsResponse>(
      h,
      gestor,
      `/api/tokens/${invite.id}/logs/?limit=3&cursor=${first.next_cursor}`,
    );
    expect(rest.items.map((entry) => entry.action)).toEqual(["invite.create"]);
    expect(rest.next_cursor).toBeNull();
  });

  it("404 for an invite of another organisation or an unknown id; 403 for a usuario", async () => {
    const { h, gestor, outsider } = await setup();
    const invite = await createInvite(h.send, gestor);
    await expectProblem(await h.send(`/api/tokens/${invite.id}/logs/`, { headers: outsider.auth }), 404);
    await expectProblem(
      await h.send("/api/tokens/inv_06h2t030tm65x11y2aewd3bvh0/logs/", { headers: gestor.auth }),
      404,
    );
    const usuario = await userWithRole(h.send, "usuario", [tenantSlug()]);
    await expectProblem(await h.send(`/api/tokens/${invite.id}/logs/`, { headers: usuario.auth }), 403);
  });
});
