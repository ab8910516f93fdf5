import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createD1Database } from "../../../src/db/d1";
import type { Role } from "../../../src/features/users/user";
import { WebhookDeliveryRepository } from "../../../src/features/webhooks/deliveries";
import { bearer, createHarness, type Harness, jsonRequest, register } from "../../helpers/accounts";
import { ConsoleBrowser, consoleCsrf } from "../../helpers/console-browser";
import { unique } from "../../helpers/dialects";
import { joinTenantsAs } from "../../helpers/invites";
import { PageBrowser } from "../../helpers/page-browser";
import { authed, codeAt, lastEmailedCode, setupTotp } from "../../helpers/two-factor";

// Several tests sign in three or four people (an Argon2id hash each) on two shared cores.
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
  accessToken: string;
  secret?: string;
}

/** A registered user with this global role, in these tenants, with TOTP on unless told. */
async function member(role: Role, tenants: string[], totp = true): Promise<Member> {
  const { userId, account, tokens } = await register(harness.send);
  await env.DB.prepare("UPDATE users SET role = ? WHERE id = ?").bind(role, userId).run();
  // Of its tenants with the matching tenant role: a gestor issues invites only where they are gestor.
  if (tenants.length > 0) await joinTenantsAs(userId, role === "root" ? "admin" : role, ...tenants);
  const result: Member = { id: userId, ...account, accessToken: tokens.accessToken };
  if (!totp) return result;
  const { secret } = await setupTotp(harness.send, tokens.accessToken);
  const enabled = await authed(harness.send, "/auth/2fa/enable", tokens.accessToken, {
    code: codeAt(secret, harness.clock),
  });
  expect(enabled.status).toBe(200);
  harness.clock.advance(30_000);
  return { ...result, secret };
}

async function signedIn(user: Member): Promise<ConsoleBrowser> {
  const browser = new ConsoleBrowser(harness.send);
  const landed = await browser.signIn(user.username, user.password, codeAt(user.secret!, harness.clock));
  expect(landed.status, browser.html.slice(0, 300)).toBe(200);
  harness.clock.advance(30_000);
  return browser;
}

async function rowsOf(userId: string, event: string) {
  const { results } = await env.DB.prepare(
    "SELECT event, result, reason, actor_id, target_id, ip, metadata FROM audit_logs WHERE (target_id = ? OR actor_id = ?) AND event = ? ORDER BY rowid",
  )
    .bind(userId, userId, event)
    .all<{
      event: string;
      result: string;
      reason: string | null;
      actor_id: string | null;
      target_id: string | null;
      ip: string | null;
      metadata: string;
    }>();
  return results;
}

describe("/admin/: signing in", () => {
  it(
    "sends a visitor without a session to the sign-in page, served with the console's strict headers",
    async () => {
      const browser = new ConsoleBrowser(harness.send);
      const page = await browser.get("/admin/convites");
      expect(page.status).toBe(303);
      expect(page.headers.get("location")).toBe("/admin/entrar");
      const signIn = await browser.get("/admin/entrar");
      expect(signIn.status).toBe(200);
      const csp = signIn.headers.get("content-security-policy")!;
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(signIn.headers.get("x-frame-options")).toBe("DENY");
      expect(signIn.headers.get("cache-control")).toBe("no-store");
      // One script, from the Worker, and nothing inline.
      expect(browser.html.match(/<script/g)).toHaveLength(1);
      expect(browser.html).toContain('<script src="/assets/copy.js" defer=""></script>');
      expect(browser.html).not.toMatch(/style=|onclick=/i);
      expect([...browser.cookies.keys()]).toEqual(["__Host-edge_auth_form"]);
      const script = await harness.send("/assets/copy.js");
      expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
      expect(await script.text()).toContain("navigator.clipboard");
    },
    SLOW,
  );

  it(
    "takes an admin through password and TOTP to the first section, replacing the session token",
    async () => {
      const admin = await member("admin", [unique("t")]);
      const browser = new ConsoleBrowser(harness.send);
      await browser.get("/admin/entrar");
      const first = await browser.post("/admin/entrar", {
        etapa: "senha",
        identificador: admin.email,
        senha: admin.password,
      });
      expect(first.status).toBe(303);
      const halfway = browser.cookies.get("__Host-edge_auth_page");
      expect(halfway).toBeDefined();
      // Halfway is not signed in: console pages still send to the sign-in page (which asks for the code).
      expect((await browser.get("/admin/convites")).headers.get("location")).toBe("/admin/entrar");
      await browser.get("/admin/entrar");
      expect(browser.html).toContain("Código de 6 dígitos");
      const wrong = await browser.post("/admin/entrar", { etapa: "codigo", codigo: "000000" });
      expect(wrong.status).toBe(401);
      expect(browser.html).toContain("Código incorreto");
      const right = await browser.post("/admin/entrar", {
        etapa: "codigo",
        codigo: codeAt(admin.secret!, harness.clock),
      });
      expect(right.status).toBe(303);
      expect(browser.cookies.get("__Host-edge_auth_page")).not.toBe(halfway);
      const landed = await browser.follow(right);
      expect(landed.status).toBe(200);
      expect(browser.html).toContain("<h1>Convites</h1>");
      const signIns = await rowsOf(admin.id, "web.sign_in");
      expect(signIns.map((row) => [row.result, JSON.parse(row.metadata).secondFactor])).toEqual([
        ["success", true],
      ]);
    },
    SLOW,
  );

  it(
    "refuses an admin without two-factor after the password, saying how to turn it on",
    async () => {
      const admin = await member("admin", [], false);
      const browser = new ConsoleBrowser(harness.send);
      await browser.get("/admin/entrar");
      const response = await browser.post("/admin/entrar", {
        etapa: "senha",
        identificador: admin.username,
        senha: admin.password,
      });
      expect(response.status).toBe(403);
      expect(browser.html).toContain("Ative a verificação em duas etapas");
      expect(browser.html).toContain('href="/tokens/ativar-2fa/"');
      expect(browser.cookies.has("__Host-edge_auth_page")).toBe(false);
      expect((await rowsOf(admin.id, "web.sign_in")).map((row) => [row.result, row.reason])).toEqual([
        ["failure", "two_factor_off"],
      ]);
    },
    SLOW,
  );

  it(
    "does not let a password-only session of /tokens/ativar-2fa/ into the console",
    async () => {
      const admin = await member("admin", [], false);
      const pageBrowser = new PageBrowser(harness.send);
      await pageBrowser.get();
      await pageBrowser.submit("entrar", { identificador: admin.username, senha: admin.password });
      const browser = new ConsoleBrowser(harness.send);
      for (const [name, value] of pageBrowser.cookies) browser.cookies.set(name, value);
      const response = await browser.get("/admin/convites");
      expect(response.status).toBe(303);
      expect(response.headers.get("location")).toBe("/admin/entrar?aviso=2fa");
      expect((await browser.get("/admin/entrar?aviso=2fa")).status).toBe(403);
    },
    SLOW,
  );

  it(
    "gives a usuario the 403 page after the password, audited, with no session",
    async () => {
      const usuario = await member("usuario", [], false);
      const browser = new ConsoleBrowser(harness.send);
      await browser.get("/admin/entrar");
      const response = await browser.post("/admin/entrar", {
        etapa: "senha",
        identificador: usuario.username,
        senha: usuario.password,
      });
      expect(response.status).toBe(403);
      expect(browser.html).toContain("Acesso negado");
      expect(browser.cookies.has("__Host-edge_auth_page")).toBe(false);
      expect((await rowsOf(usuario.id, "web.sign_in")).map((row) => row.reason)).toEqual(["role"]);
    },
    SLOW,
  );

  it(
    "says nothing more for a wrong password than the API does",
    async () => {
      const browser = new ConsoleBrowser(harness.send);
      await browser.get("/admin/entrar");
      const response = await browser.post("/admin/entrar", {
        etapa: "senha",
        identificador: `nobody.${unique()}`,
        senha: "not the password",
      });
      expect(response.status).toBe(401);
      expect(browser.html).toContain("Usuário, e-mail ou senha incorretos.");
    },
    SLOW,
  );

  it(
    "signs out with the form's token only",
    async () => {
      const admin = await member("admin", [unique("t")]);
      const browser = await signedIn(admin);
      const forged = await browser.post("/admin/sair", { csrf: "0".repeat(64) });
      expect(forged.status).toBe(403);
      expect((await browser.get("/admin/convites")).status).toBe(200);
      const out = await browser.post("/admin/sair", {});
      expect(out.headers.get("location")).toBe("/admin/entrar?aviso=saiu");
      expect((await browser.get("/admin/convites")).status).toBe(303);
    },
    SLOW,
  );
});

describe("/admin/: forms", () => {
  it(
    "refuses a post without the token, with another form's token or from another origin, auditing each",
    async () => {
      const admin = await member("admin", [unique("t")]);
      const browser = await signedIn(admin);
      await browser.get("/admin/convites");
      const createToken = consoleCsrf(browser.html, "/admin/convites")!;
      const fields = { tipo_destino: "associado" };
      expect((await browser.post("/admin/convites", { ...fields, csrf: "" })).status).toBe(403);
      expect(browser.html).toContain("Não foi possível confirmar este formulário");
      // The sign-out form's token, valid for this session, is not the create form's.
      await browser.get("/admin/convites");
      const otherForm = consoleCsrf(browser.html, "/admin/sair")!;
      expect(otherForm).toMatch(/^[0-9a-f]{64}$/);
      expect((await browser.post("/admin/convites", { ...fields, csrf: otherForm })).status).toBe(403);
      const crossSite = await browser.post(
        "/admin/convites",
        { ...fields, csrf: createToken },
        { origin: "https://evil.example" },
      );
      expect(crossSite.status).toBe(403);
      const fetchSite = await browser.post(
        "/admin/convites",
        { ...fields, csrf: createToken },
        { "sec-fetch-site": "cross-site" },
      );
      expect(fetchSite.status).toBe(403);
      const { results } = await env.DB.prepare(
        "SELECT reason, metadata FROM audit_logs WHERE event = 'web.form' AND ip = ? ORDER BY rowid",
      )
        .bind(harness.clientIp)
        .all<{ reason: string; metadata: string }>();
      const mine = results.slice(-4).map((row) => [row.reason, JSON.parse(row.metadata).form]);
      expect(mine).toEqual([
        ["csrf", "admin:convites:criar"],
        ["csrf", "admin:convites:criar"],
        ["cross_site", "admin:convites:criar"],
        ["cross_site", "admin:convites:criar"],
      ]);
      // Nothing was created by any of them.
      const created = await rowsOf(admin.id, "invite.create");
      expect(created).toEqual([]);
      // A token of another session is worthless here too.
      const other = await signedIn(await member("admin", [unique("t")]));
      await other.get("/admin/convites");
      const foreign = consoleCsrf(other.html, "/admin/convites")!;
      expect((await browser.post("/admin/convites", { ...fields, csrf: foreign })).status).toBe(403);
    },
    SLOW,
  );
});

describe("/admin/convites", () => {
  it(
    "creates through the invites service: the code once, the quota, the same audit row as the API",
    async () => {
      const tenant = unique("t");
      const admin = await member("admin", [tenant]);
      const browser = await signedIn(admin);
      await browser.get("/admin/convites");
      const created = await browser.post("/admin/convites", {
        tipo_destino: "colaborador",
        organizacao: tenant,
      });
      expect(created.status).toBe(200);
      const code = /<code id="codigo-convite" class="secret">([^<]+)<\/code>/.exec(browser.html)?.[1];
      expect(code).toMatch(/^eiv_/);
      expect(browser.html).toMatch(/<span id="cota">\d+<\/span> de \d+/);
      const [row] = await rowsOf(admin.id, "invite.create");
      expect(row).toMatchObject({ result: "success", actor_id: admin.id, ip: harness.clientIp });
      expect(row!.metadata).not.toContain(code!);
      // The detail page: facts and history, never the code; then revoke with the confirmation.
      const inviteId = row!.target_id!;
      await browser.get(`/admin/convites/${inviteId}`);
      expect(browser.html).not.toContain(code!);
      expect(browser.html).toContain("invite.create");
      const unconfirmed = await browser.post(`/admin/convites/${inviteId}`, {});
      expect(unconfirmed.status).toBe(400);
      await browser.get(`/admin/convites/${inviteId}`);
      const revoked = await browser.post(`/admin/convites/${inviteId}`, { confirmar: "sim" });
      expect(revoked.headers.get("location")).toBe(`/admin/convites/${inviteId}?aviso=revogado`);
      const listed = await harness.send(`/api/tokens/?estado=revogado&organizacao=${tenant}`, {
        headers: bearer(admin.accessToken),
      });
      const body = (await listed.json()) as { items: Array<{ id: string }> };
      expect(body.items.map((item) => item.id)).toEqual([inviteId]);
    },
    SLOW,
  );

  it(
    "filters by state and creation date, and shows a gestor only the invites they created",
    async () => {
      const tenant = unique("t");
      const admin = await member("admin", [tenant]);
      const gestor = await member("gestor", [tenant]);
      const byAdmin = await harness.send(
        "/api/tokens/",
        jsonRequest({ tipo_destino: "associado", organizacao: tenant }, bearer(admin.accessToken)),
      );
      const byGestor = await harness.send(
        "/api/tokens/",
        jsonRequest({ tipo_destino: "associado", organizacao: tenant }, bearer(gestor.accessToken)),
      );
      const adminInvite = ((await byAdmin.json()) as { id: string }).id;
      const gestorInvite = ((await byGestor.json()) as { id: string }).id;

      const adminBrowser = await signedIn(admin);
      await adminBrowser.get(`/admin/convites?organizacao=${tenant}&estado=novo`);
      expect(adminBrowser.html).toContain(adminInvite);
      expect(adminBrowser.html).toContain(gestorInvite);
      await adminBrowser.get(`/admin/convites?organizacao=${tenant}&de=2001-01-01&ate=2001-01-02`);
      expect(adminBrowser.html).toContain("Nenhum convite com estes filtros.");

      const gestorBrowser = await signedIn(gestor);
      await gestorBrowser.get(`/admin/convites?organizacao=${tenant}`);
      expect(gestorBrowser.html).toContain(gestorInvite);
      expect(gestorBrowser.html).not.toContain(adminInvite);
      // A gestor cannot revoke someone else's invite: the service's rule, the console's message.
      // The revoke form's token is the session's token of that form, whichever invite it names.
      await gestorBrowser.get(`/admin/convites/${gestorInvite}`);
      const csrf = consoleCsrf(gestorBrowser.html, `/admin/convites/${gestorInvite}`)!;
      const refused = await gestorBrowser.post(`/admin/convites/${adminInvite}`, { confirmar: "sim", csrf });
      expect(refused.status).toBe(403);
      expect(gestorBrowser.html).toContain("Um gestor só revoga os convites que criou.");
      // An invite of a tenant one does not belong to does not exist for the visitor.
      const outsider = await signedIn(await member("admin", [unique("t")]));
      expect((await outsider.get(`/admin/convites/${adminInvite}`)).status).toBe(404);
      // Sections above a gestor's role: 403 page, for reading and for posting.
      expect((await gestorBrowser.get("/admin/usuarios")).status).toBe(403);
      const posted = await gestorBrowser.post("/admin/usuarios", {
        usuario: admin.id,
        papel: "usuario",
        csrf: "x",
      });
      expect(posted.status).toBe(403);
      expect(gestorBrowser.html).toContain("Acesso negado");
    },
    SLOW,
  );
});

describe("/admin/codigos", () => {
  it(
    "e-mails a user a code on their behalf and shows whether it was validated, never the code",
    async () => {
      const admin = await member("admin", [unique("t")]);
      const user = await member("usuario", [], false);
      const browser = await signedIn(admin);
      await browser.get(`/admin/codigos?q=${encodeURIComponent(user.username)}`);
      expect(browser.html).toContain(user.email);
      const sent = await browser.post("/admin/codigos", { usuario: user.id });
      expect(sent.headers.get("location")).toBe(`/admin/codigos?usuario=${user.id}&aviso=enviado`);
      await browser.follow(sent);
      expect(browser.html).toContain("Enviado, ainda não validado");
      const code = lastEmailedCode(harness, user.email);
      expect(browser.html).not.toContain(code);
      const [audited] = await rowsOf(user.id, "two_factor_code.generate");
      expect(audited).toMatchObject({ result: "success", actor_id: admin.id });

      const validated = await harness.send(
        "/tokens/validar-codigo/",
        jsonRequest({ codigo: code }, bearer(user.accessToken)),
      );
      expect(validated.status).toBe(200);
      await browser.get(`/admin/codigos?usuario=${user.id}`);
      expect(browser.html).toContain('<dd id="situacao-codigo">Validado</dd>');
      expect(browser.html).not.toContain(code);
    },
    SLOW,
  );
});

describe("/admin/usuarios and /admin/tokens-de-api", () => {
  it(
    "changes a role through the role service, refusing what it refuses",
    async () => {
      const admin = await member("admin", [unique("t")]);
      const target = await member("usuario", [], false);
      const root = await member("root", [], false);
      const browser = await signedIn(admin);
      await browser.get(`/admin/usuarios?q=${encodeURIComponent(target.username)}`);
      expect(browser.html).toContain(target.username);
      const changed = await browser.post("/admin/usuarios", { usuario: target.id, papel: "gestor" });
      expect(changed.headers.get("location")).toBe("/admin/usuarios?aviso=papel");
      const row = await env.DB.prepare("SELECT role FROM users WHERE id = ?")
        .bind(target.id)
        .first<{ role: string }>();
      expect(row?.role).toBe("gestor");
      expect(
        (await rowsOf(target.id, "user.role_change")).map((entry) => [entry.result, entry.actor_id]),
      ).toEqual([["success", admin.id]]);
      await browser.get("/admin/usuarios");
      const above = await browser.post("/admin/usuarios", { usuario: root.id, papel: "usuario" });
      expect(above.status).toBe(403);
      expect(browser.html).toContain("O papel deste usuário está acima do seu.");
      await browser.get("/admin/usuarios");
      const own = await browser.post("/admin/usuarios", { usuario: admin.id, papel: "root" });
      expect(own.status).toBe(403);
      expect(browser.html).toContain("Ninguém muda o próprio papel.");
    },
    SLOW,
  );

  it(
    "lists every user's tokens and revokes one for the API as well",
    async () => {
      const admin = await member("admin", [unique("t")]);
      const owner = await member("usuario", [], false);
      const name = unique("token");
      const created = await harness.send(
        "/api/api-tokens/",
        jsonRequest({ nome: name, scope: "read" }, bearer(owner.accessToken)),
      );
      const token = (await created.json()) as { id: string; token: string };
      const browser = await signedIn(admin);
      await browser.get("/admin/tokens-de-api");
      expect(browser.html).toContain(name);
      expect(browser.html).toContain(owner.id);
      expect(browser.html).not.toContain(token.token);
      const revoked = await browser.post("/admin/tokens-de-api", { token: token.id });
      expect(revoked.headers.get("location")).toBe("/admin/tokens-de-api?aviso=revogado");
      expect((await harness.send("/auth/me", { headers: bearer(token.token) })).status).toBe(401);
    },
    SLOW,
  );
});

describe("/admin/uso, /admin/auditoria, /admin/webhooks", () => {
  it(
    "counts the reader's tenants' invites per day, in the chart and in the table",
    async () => {
      const tenant = unique("t");
      const admin = await member("admin", [tenant]);
      for (let index = 0; index < 2; index++) {
        await harness.send(
          "/api/tokens/",
          jsonRequest({ tipo_destino: "associado", organizacao: tenant }, bearer(admin.accessToken)),
        );
      }
      const browser = await signedIn(admin);
      await browser.get("/admin/uso");
      expect(browser.html).toContain('role="img"');
      expect(browser.html).toContain(
        "Totais do período: Criados: 2; Usados: 0; Revogados: 0; Falhas de validação: 0.",
      );
      const today = harness.clock.now().toISOString().slice(0, 10);
      const label = `${today.slice(8, 10)}/${today.slice(5, 7)}/${today.slice(0, 4)}`;
      expect(browser.html).toContain(
        `<th scope="row">${label}</th><td class="num">2</td><td class="num">0</td><td class="num">0</td><td class="num">0</td>`,
      );
    },
    SLOW,
  );

  it(
    "shows the audit log scoped like the API and checks the chain",
    async () => {
      const tenant = unique("t");
      const admin = await member("admin", [tenant]);
      await harness.send(
        "/api/tokens/",
        jsonRequest({ tipo_destino: "associado", organizacao: tenant }, bearer(admin.accessToken)),
      );
      const browser = await signedIn(admin);
      await browser.get(`/admin/auditoria?ator=${admin.id}&evento=invite.create`);
      expect(browser.html).toContain("invite.create");
      const checked = await browser.post("/admin/auditoria", {});
      expect(checked.status).toBe(200);
      expect(browser.html).toMatch(/Cadeia (íntegra|quebrada)/);
      const bad = await browser.post("/admin/auditoria", { apos: "-1" });
      expect(bad.status).toBe(400);
    },
    SLOW,
  );

  it(
    "shows a failed delivery with its attempts and redelivers it through the service's rules",
    async () => {
      const deliveries = new WebhookDeliveryRepository(createD1Database(env.DB));
      const eventId = `evt_${unique()}`;
      const at = harness.clock.now();
      await deliveries.record({
        eventId,
        event: "invite.created",
        subjectId: `inv_${unique()}`,
        payloadSealed: "sealed",
        url: "https://hooks.example/in",
        createdAt: at,
      });
      await deliveries.markAttempt(eventId, {
        outcome: "failed",
        httpStatus: 502,
        error: "HTTP 502",
        url: "https://hooks.example/in",
        at,
      });
      const admin = await member("admin", [unique("t")]);
      const browser = await signedIn(admin);
      expect((await browser.get("/admin/webhooks?estado=failed")).status).toBe(200);
      const row = new RegExp(`<code>${eventId}</code>.*?</tr>`).exec(browser.html)?.[0] ?? "";
      expect(row).toContain("Falhou");
      expect(row).toContain("HTTP 502");
      expect(row).not.toContain("sealed");
      // Webhooks are off in the test Worker (no TOKENS_WEBHOOK_URL): the service refuses, audited.
      const refused = await browser.post("/admin/webhooks", { evento: eventId });
      expect(refused.status).toBe(409);
      expect(browser.html).toContain("Os webhooks estão desligados");
      const unknown = await browser.post("/admin/webhooks", {
        evento: `evt_${unique()}`,
        csrf: consoleCsrf(browser.html, "/admin/webhooks") ?? "",
      });
      expect(unknown.status).toBe(404);
    },
    SLOW,
  );
});
