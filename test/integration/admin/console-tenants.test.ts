import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { Role } from "../../../src/features/users/user";
import { createHarness, type Harness, register } from "../../helpers/accounts";
import { ConsoleBrowser, consoleCsrf } from "../../helpers/console-browser";
import { unique } from "../../helpers/dialects";
import { ensureTenants } from "../../helpers/invites";
import { PageBrowser } from "../../helpers/page-browser";
import { authed, codeAt, setupTotp } from "../../helpers/two-factor";

// Each test signs in two or three people (an Argon2id hash each) on two shared cores.
const SLOW = 120_000;

let harness: Harness;
beforeAll(() => {
  harness = createHarness();
});

interface Member {
  id: string;
  username: string;
  email: string;
  password: string;
  secret: string;
}

/** A registered user with this global role and TOTP on. */
async function member(role: Role): Promise<Member> {
  const { userId, account, tokens } = await register(harness.send);
  await env.DB.prepare("UPDATE users SET role = ? WHERE id = ?").bind(role, userId).run();
  const { secret } = await setupTotp(harness.send, tokens.accessToken);
  const enabled = await authed(harness.send, "/auth/2fa/enable", tokens.accessToken, {
    code: codeAt(secret, harness.clock),
  });
  expect(enabled.status).toBe(200);
  harness.clock.advance(30_000);
  return { id: userId, ...account, secret };
}

async function signedIn(user: Member): Promise<ConsoleBrowser> {
  const browser = new ConsoleBrowser(harness.send);
  const landed = await browser.signIn(user.username, user.password, codeAt(user.secret, harness.clock));
  expect(landed.status, browser.html.slice(0, 300)).toBe(200);
  harness.clock.advance(30_000);
  return browser;
}

/** Gives `userId` this role in the tenant `slug` (made if missing); returns the tenant's id. */
async function agentOf(slug: string, userId: string, role: "admin" | "gestor" | "usuario"): Promise<string> {
  const id = (await ensureTenants(slug))[slug]!;
  await env.DB.prepare(
    "INSERT INTO tenant_members (user_id, tenant_id, created_at, role) VALUES (?, ?, ?, ?) ON CONFLICT (user_id, tenant_id) DO UPDATE SET role = excluded.role",
  )
    .bind(userId, id, Date.now(), role)
    .run();
  return id;
}

async function auditRows(event: string, tenantId: string) {
  const { results } = await env.DB.prepare(
    "SELECT result, actor_id, target_id, ip, metadata FROM audit_logs WHERE event = ? AND tenant_id = ? ORDER BY rowid",
  )
    .bind(event, tenantId)
    .all<{
      result: string;
      actor_id: string | null;
      target_id: string | null;
      ip: string | null;
      metadata: string;
    }>();
  return results;
}

async function tenantRow(slug: string) {
  return env.DB.prepare(
    "SELECT id, name, status, session_timeout_seconds, mfa_required FROM tenants WHERE slug = ?",
  )
    .bind(slug)
    .first<{
      id: string;
      name: string;
      status: string;
      session_timeout_seconds: number | null;
      mfa_required: number;
    }>();
}

describe("/admin/tenants for global admins", () => {
  it(
    "creates a tenant with the API's validation, audit row and 409, and lists it with its settings",
    async () => {
      const admin = await signedIn(await member("admin"));
      const list = await admin.get("/admin/tenants");
      expect(list.status).toBe(200);
      expect(admin.html).toContain("Nova organização");
      expect(admin.html).toMatch(/<a href="\/admin\/tenants"[^>]*aria-current="page"/);

      const invalid = await admin.post("/admin/tenants", { slug: "Não Vale", name: "X" });
      expect(invalid.status).toBe(400);
      expect(admin.html).toContain("Preencha corretamente os campos indicados.");
      expect(admin.html).toContain("slug: must be 1..63 lowercase letters, digits or inner hyphens");
      const badTimeout = await admin.post("/admin/tenants", {
        slug: unique("t"),
        name: "X",
        session_timeout_seconds: "5",
      });
      expect(badTimeout.status).toBe(400);
      expect(admin.html).toContain("session_timeout_seconds:");

      const slug = unique("acme");
      const created = await admin.post("/admin/tenants", {
        slug,
        name: "  Acme Ltda  ",
        session_timeout_seconds: "900",
        mfa_required: "sim",
      });
      expect(created.status).toBe(303);
      expect(created.headers.get("location")).toBe(`/admin/tenants/${slug}?aviso=criado`);
      const row = await tenantRow(slug);
      expect(row).toMatchObject({
        name: "Acme Ltda",
        status: "active",
        session_timeout_seconds: 900,
        mfa_required: 1,
      });
      const [audit] = await auditRows("tenant.create", row!.id);
      expect(audit).toMatchObject({ result: "success", target_id: row!.id });
      expect(audit!.actor_id).not.toBeNull();
      expect(audit!.ip).not.toBeNull();
      await admin.follow(created);
      expect(admin.html).toContain("Organização criada.");

      await admin.get("/admin/tenants");
      const again = await admin.post("/admin/tenants", { slug, name: "Outra" });
      expect(again.status).toBe(409);
      expect(admin.html).toContain("Já existe uma organização com este identificador.");

      // The list: every tenant, with its settings and number of agents; pages by slug.
      const cursor = btoa(slug.slice(0, -1)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
      await admin.get(`/admin/tenants?cursor=${cursor}`);
      expect(admin.html).toContain(`<code>${slug}</code>`);
      expect(admin.html).toContain("900 s");
      expect(admin.html).toContain("Exigido de todos");
    },
    SLOW,
  );

  it(
    "changes settings through the update service, and assigns, changes and removes an agent's role",
    async () => {
      const adminUser = await member("admin");
      const admin = await signedIn(adminUser);
      const slug = unique("org");
      const agent = await member("usuario");
      const tenantId = await agentOf(slug, adminUser.id, "admin");

      await admin.get(`/admin/tenants/${slug}`);
      expect(admin.html).toContain("Configurações");
      const saved = await admin.post(`/admin/tenants/${slug}`, {
        name: "Nome novo",
        session_timeout_seconds: "",
        status: "disabled",
      });
      expect(saved.status).toBe(303);
      expect(await tenantRow(slug)).toMatchObject({
        name: "Nome novo",
        status: "disabled",
        session_timeout_seconds: null,
        mfa_required: 0,
      });
      const [update] = await auditRows("tenant.update", tenantId);
      expect(JSON.parse(update!.metadata)).toMatchObject({
        changes: { name: "Nome novo", status: "disabled", sessionTimeoutSeconds: null, mfaRequired: false },
      });
      await admin.follow(saved);
      expect(admin.html).toContain("Configurações salvas.");
      expect(admin.html).toContain('<dd id="situacao-organizacao">Desativada</dd>');

      const assigned = await admin.post(`/admin/tenants/${slug}/papeis`, {
        agent_id: agent.id,
        role: "gestor",
      });
      expect(assigned.status).toBe(303);
      await admin.follow(assigned);
      expect(admin.html).toContain("Papel atribuído.");
      expect(admin.html).toContain(agent.email);
      const [assign] = await auditRows("tenant.role.assign", tenantId);
      expect(assign).toMatchObject({ result: "success", target_id: agent.id, actor_id: adminUser.id });

      const unconfirmed = await admin.post(`/admin/tenants/${slug}/remover`, { agent_id: agent.id });
      expect(unconfirmed.status).toBe(400);
      const removed = await admin.post(`/admin/tenants/${slug}/remover`, {
        agent_id: agent.id,
        confirmar: "sim",
      });
      expect(removed.status).toBe(303);
      await admin.follow(removed);
      expect(admin.html).toContain("Agente removido da organização.");
      expect(admin.html).not.toContain(agent.email);
      expect(await auditRows("tenant.role.remove", tenantId)).toHaveLength(1);

      // The last admin stays (the service's rule, the console's words).
      const demoted = await admin.post(`/admin/tenants/${slug}/papeis`, {
        agent_id: adminUser.id,
        role: "usuario",
      });
      expect(demoted.status).toBe(409);
      expect(admin.html).toContain("Este é o último admin da organização");
      const nobody = await admin.post(`/admin/tenants/${slug}/papeis`, {
        agent_id: `usr_${unique()}`,
        role: "usuario",
      });
      expect(nobody.status).toBe(404);
      expect(admin.html).toContain("Nenhum usuário tem este id.");
      expect((await admin.get(`/admin/tenants/${unique("none")}`)).status).toBe(404);
    },
    SLOW,
  );
});

describe("/admin/tenants for a global gestor", () => {
  it(
    "lists only the tenants they manage, hides create and settings, and keeps roles within theirs",
    async () => {
      const gestorUser = await member("gestor");
      const [managed, readOnly, foreign] = [unique("ga"), unique("gb"), unique("gc")];
      const managedId = await agentOf(managed, gestorUser.id, "gestor");
      await agentOf(readOnly, gestorUser.id, "usuario");
      await agentOf(foreign, (await member("usuario")).id, "admin");
      const colleague = await member("usuario");
      const boss = await member("usuario");
      await agentOf(managed, boss.id, "admin");
      const gestor = await signedIn(gestorUser);

      expect(gestor.html).toContain('href="/admin/tenants"');
      await gestor.get("/admin/tenants");
      expect(gestor.html).toContain(`<code>${managed}</code>`);
      expect(gestor.html).not.toContain(readOnly);
      expect(gestor.html).not.toContain(foreign);
      expect(gestor.html).not.toContain("Nova organização");

      expect((await gestor.get(`/admin/tenants/${foreign}`)).status).toBe(404);
      expect((await gestor.get(`/admin/tenants/${readOnly}`)).status).toBe(403);
      const page = await gestor.get(`/admin/tenants/${managed}`);
      expect(page.status).toBe(200);
      expect(gestor.html).not.toContain("Configurações");
      expect(gestor.html).toContain(boss.email);
      // The boss is above them: no form on that row; the menu offers gestor and usuario only.
      expect(gestor.html).not.toContain(`Salvar o papel de ${boss.email}`);
      expect(gestor.html).not.toMatch(/<option value="admin"/);

      const above = await gestor.post(`/admin/tenants/${managed}/papeis`, {
        agent_id: colleague.id,
        role: "admin",
      });
      expect(above.status).toBe(403);
      expect(gestor.html).toContain("Ninguém concede um papel acima do próprio.");
      const touchBoss = await gestor.post(`/admin/tenants/${managed}/remover`, {
        agent_id: boss.id,
        confirmar: "sim",
      });
      expect(touchBoss.status).toBe(403);
      expect(gestor.html).toContain("O papel deste agente na organização está acima do seu.");
      const within = await gestor.post(`/admin/tenants/${managed}/papeis`, {
        agent_id: colleague.id,
        role: "gestor",
      });
      expect(within.status).toBe(303);
      expect(await auditRows("tenant.role.assign", managedId)).toEqual([
        expect.objectContaining({ target_id: colleague.id, actor_id: gestorUser.id }),
      ]);
      // Another tenant's roles through its path: 404 as the API.
      await gestor.get(`/admin/tenants/${managed}`);
      const csrf = consoleCsrf(gestor.html, `/admin/tenants/${managed}/papeis`)!;
      const elsewhere = await gestor.post(`/admin/tenants/${foreign}/papeis`, {
        agent_id: colleague.id,
        role: "usuario",
        csrf,
      });
      expect(elsewhere.status).toBe(404);

      // Create and settings are above a gestor's global role: the 403 page, nothing changed.
      expect(
        (await gestor.post("/admin/tenants", { slug: unique("no"), name: "No", csrf: "x" })).status,
      ).toBe(403);
      expect((await gestor.post(`/admin/tenants/${managed}`, { name: "Hack", csrf: "x" })).status).toBe(403);
      expect((await tenantRow(managed))!.name).toBe(managed);
    },
    SLOW,
  );

  it(
    "refuses every Organizações form without its own CSRF token or from another site, audited",
    async () => {
      const adminUser = await member("admin");
      const admin = await signedIn(adminUser);
      const slug = unique("csrf");
      const refused = await admin.post("/admin/tenants", { slug, name: "X", csrf: "" });
      expect(refused.status).toBe(403);
      expect(admin.html).toContain("Não foi possível confirmar este formulário");
      expect(await tenantRow(slug)).toBeNull();
      const { results } = await env.DB.prepare(
        "SELECT reason, metadata FROM audit_logs WHERE event = 'web.form' AND (actor_id = ? OR target_id = ?) ORDER BY rowid DESC",
      )
        .bind(adminUser.id, adminUser.id)
        .all<{ reason: string; metadata: string }>();
      expect(results[0]).toMatchObject({ reason: "csrf" });
      expect(results[0]!.metadata).toContain("admin:tenants:criar");

      // The role and removal forms: no token, another form's token, or another site's post.
      const org = unique("csrf");
      const agent = await member("usuario");
      await agentOf(org, adminUser.id, "admin");
      await agentOf(org, agent.id, "usuario");
      await admin.get(`/admin/tenants/${org}`);
      const removeCsrf = consoleCsrf(admin.html, `/admin/tenants/${org}/remover`)!;
      const roleCsrf = consoleCsrf(admin.html, `/admin/tenants/${org}/papeis`)!;
      const attempts = [
        () => admin.post(`/admin/tenants/${org}/papeis`, { agent_id: agent.id, role: "admin", csrf: "" }),
        () =>
          admin.post(`/admin/tenants/${org}/papeis`, { agent_id: agent.id, role: "admin", csrf: removeCsrf }),
        () =>
          admin.post(`/admin/tenants/${org}/remover`, {
            agent_id: agent.id,
            confirmar: "sim",
            csrf: roleCsrf,
          }),
        () =>
          admin.post(
            `/admin/tenants/${org}/papeis`,
            { agent_id: agent.id, role: "admin", csrf: roleCsrf },
            {
              origin: "https://evil.example",
            },
          ),
        () => admin.post(`/admin/tenants/${org}`, { name: "Hack", csrf: roleCsrf }),
      ];
      for (const attempt of attempts) expect((await attempt()).status).toBe(403);
      const { results: roles } = await env.DB.prepare(
        "SELECT m.role AS role FROM tenant_members m JOIN tenants t ON t.id = m.tenant_id WHERE t.slug = ? AND m.user_id = ?",
      )
        .bind(org, agent.id)
        .all<{ role: string }>();
      expect(roles).toEqual([{ role: "usuario" }]);
      expect((await tenantRow(org))!.name).toBe(org);
    },
    SLOW,
  );
});

describe("/admin/tenants for a global usuario", () => {
  it(
    "refuses them every console page even with a two-factor session begun on /tokens/ativar-2fa/",
    async () => {
      const usuario = await member("usuario");
      const slug = unique("uu");
      await agentOf(slug, usuario.id, "gestor");
      const pageBrowser = new PageBrowser(harness.send);
      await pageBrowser.get();
      await pageBrowser.submit("entrar", { identificador: usuario.username, senha: usuario.password });
      await pageBrowser.submit("segundo-fator", { codigo: codeAt(usuario.secret, harness.clock) });
      const browser = new ConsoleBrowser(harness.send);
      for (const [name, value] of pageBrowser.cookies) browser.cookies.set(name, value);
      // Their tenant role would let the API show them the roster; the console is for gestor and above.
      expect((await browser.get("/admin/tenants")).status).toBe(403);
      expect(browser.html).toContain("Acesso negado");
      expect(browser.html).not.toContain('href="/admin/tenants"');
      expect((await browser.get(`/admin/tenants/${slug}`)).status).toBe(403);
      expect((await browser.get("/admin/convites")).status).toBe(403);
    },
    SLOW,
  );
});
