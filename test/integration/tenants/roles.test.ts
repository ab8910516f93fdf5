import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { ListTenantRolesResponse } from "../../../src/features/tenants/routes/list-roles";
import {
  bearer,
  createHarness,
  expectInvalidFields,
  expectProblem,
  type Harness,
  register,
} from "../../helpers/accounts";
import { createApiToken, rootUser, userWithRole } from "../../helpers/api-tokens";
import { agentOf, createTenant, putRole, tenantSignIn } from "../../helpers/tenants";

describe("/tenants/{slug}/roles", () => {
  let harness: Harness;
  let root: string;
  let slug: string;
  let admin: Awaited<ReturnType<typeof agentOf>>;
  let adminToken: string;

  const roles = (token: string, tenant = slug) =>
    harness.send(`/tenants/${tenant}/roles`, { headers: bearer(token) });
  const remove = (token: string, agentId: string, tenant = slug) =>
    harness.send(`/tenants/${tenant}/roles/${agentId}`, { method: "DELETE", headers: bearer(token) });

  beforeAll(async () => {
    harness = createHarness();
    root = (await rootUser(harness.send)).accessToken;
    slug = (await createTenant(harness.send, root)).slug;
    admin = await agentOf(harness.send, root, slug, "admin");
    adminToken = (await tenantSignIn(harness.send, slug, admin.account.email, admin.account.password))
      .access_token;
  }, 60_000);

  it("lists, assigns and removes with a tenant admin's tenant token, and audits each change", async () => {
    const user = await register(harness.send);
    const put = await putRole(harness.send, adminToken, slug, user.userId, "gestor");
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({
      agent_id: user.userId,
      agent_email: user.account.email,
      role: "gestor",
    });
    const list = (await (await roles(adminToken)).json()) as ListTenantRolesResponse;
    expect(list).toEqual(
      expect.arrayContaining([
        { agent_id: admin.userId, agent_email: admin.account.email, role: "admin" },
        { agent_id: user.userId, agent_email: user.account.email, role: "gestor" },
      ]),
    );
    expect((await remove(adminToken, user.userId)).status).toBe(204);
    await expectProblem(await remove(adminToken, user.userId), 404);
    const events = (await harness.auditRows())
      .filter((row) => row.target_id === user.userId)
      .map((row) => row.event);
    expect(events).toEqual(expect.arrayContaining(["tenant.role.assign", "tenant.role.remove"]));
  });

  it("validates the role and the agent", async () => {
    const response = await harness.send(`/tenants/${slug}/roles/${admin.userId}`, {
      method: "PUT",
      headers: { ...bearer(adminToken), "content-type": "application/json" },
      body: JSON.stringify({ role: "root" }),
    });
    expect(await expectInvalidFields(response)).toEqual(["body.role"]);
    await expectProblem(
      await putRole(harness.send, adminToken, slug, `usr_${"0".repeat(26)}`, "usuario"),
      404,
    );
  });

  it("needs credentials, and gestor or above in the tenant", async () => {
    await expectProblem(await harness.send(`/tenants/${slug}/roles`), 401);
    const usuario = await agentOf(harness.send, root, slug, "usuario");
    const token = (await tenantSignIn(harness.send, slug, usuario.account.email, usuario.account.password))
      .access_token;
    await expectProblem(await roles(token), 403);
    // A global usuario who is no agent here does not even see the tenant.
    const stranger = await register(harness.send);
    await expectProblem(await roles(stranger.tokens.accessToken), 404);
    // A global admin manages any tenant; a read API token of root reads but cannot write.
    const globalAdmin = await userWithRole(harness.send, "admin");
    expect((await roles(globalAdmin.accessToken)).status).toBe(200);
    const readToken = await createApiToken(harness.send, root, { scope: "read" });
    expect((await roles(readToken.token)).status).toBe(200);
    await expectProblem(await putRole(harness.send, readToken.token, slug, usuario.userId, "gestor"), 403);
  });

  it("lets nobody grant a role above their own or touch an agent above them", async () => {
    const gestor = await agentOf(harness.send, root, slug, "gestor");
    const token = (await tenantSignIn(harness.send, slug, gestor.account.email, gestor.account.password))
      .access_token;
    const user = await register(harness.send);
    await expectProblem(await putRole(harness.send, token, slug, user.userId, "admin"), 403);
    expect((await putRole(harness.send, token, slug, user.userId, "gestor")).status).toBe(200);
    await expectProblem(await putRole(harness.send, token, slug, admin.userId, "usuario"), 403);
    await expectProblem(await remove(token, admin.userId), 403);
  });

  it("never demotes or removes the last admin, and a refused removal leaves their sessions", async () => {
    const lone = await createTenant(harness.send, root);
    const only = await agentOf(harness.send, root, lone.slug, "admin");
    const onlyToken = (await tenantSignIn(harness.send, lone.slug, only.account.email, only.account.password))
      .access_token;
    await expectProblem(await putRole(harness.send, root, lone.slug, only.userId, "gestor"), 409);
    await expectProblem(await remove(root, only.userId, lone.slug), 409);
    expect((await roles(onlyToken, lone.slug)).status).toBe(200);
    expect((await putRole(harness.send, root, lone.slug, only.userId, "admin")).status).toBe(200);
  });

  it("leaves one consistent row after 20 concurrent PUTs of one agent's role", async () => {
    const user = await register(harness.send);
    const order = ["usuario", "gestor", "admin"] as const;
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => putRole(harness.send, root, slug, user.userId, order[i % 3]!)),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    const { results } = await env.DB.prepare(
      "SELECT m.role AS role FROM tenant_members m JOIN tenants t ON t.id = m.tenant_id WHERE t.slug = ? AND m.user_id = ?",
    )
      .bind(slug, user.userId)
      .all<{ role: string }>();
    expect(results).toHaveLength(1);
    expect(order).toContain(results[0]!.role);
  });

  it("ends a removed agent's sessions: their token stops working and they cannot log in", async () => {
    const agent = await agentOf(harness.send, root, slug, "gestor");
    const token = (await tenantSignIn(harness.send, slug, agent.account.email, agent.account.password))
      .access_token;
    expect((await roles(token)).status).toBe(200);
    expect((await remove(adminToken, agent.userId)).status).toBe(204);
    await expectProblem(await roles(token), 401);
    await expectProblem(
      await harness.send(`/tenants/${slug}/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: agent.account.email, password: agent.account.password }),
      }),
      401,
      "INVALID_CREDENTIALS",
    );
    const { results } = await env.DB.prepare(
      "SELECT state, ended_reason FROM tenant_sessions WHERE user_id = ?",
    )
      .bind(agent.userId)
      .all<{ state: string; ended_reason: string }>();
    expect(results).toEqual([{ state: "ended", ended_reason: "agent_removed" }]);
  });

  it("reads the agent's current role on every use of the token", async () => {
    const agent = await agentOf(harness.send, root, slug, "gestor");
    const token = (await tenantSignIn(harness.send, slug, agent.account.email, agent.account.password))
      .access_token;
    expect((await putRole(harness.send, adminToken, slug, agent.userId, "usuario")).status).toBe(200);
    await expectProblem(await roles(token), 403);
  });

  it("ends every session when the tenant is disabled", async () => {
    const t = await createTenant(harness.send, root);
    const agent = await agentOf(harness.send, root, t.slug, "admin");
    const token = (await tenantSignIn(harness.send, t.slug, agent.account.email, agent.account.password))
      .access_token;
    const patch = await harness.send(`/api/tenants/${t.slug}`, {
      method: "PATCH",
      headers: { ...bearer(root), "content-type": "application/json" },
      body: JSON.stringify({ status: "disabled" }),
    });
    expect(patch.status).toBe(200);
    await expectProblem(await roles(token, t.slug), 401);
  });
});
