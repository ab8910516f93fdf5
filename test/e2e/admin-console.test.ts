import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { CHROMIUM, CHROMIUM_ARGS, oathtool, screenshots, seriousViolations } from "../helpers/chromium";

const baseUrl = inject("baseUrl");
const shot = screenshots("admin");
const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

interface Account {
  id: string;
  username: string;
  password: string;
  token: string;
  secret?: string;
}

async function api(method: string, path: string, body?: unknown, token?: string): Promise<Response> {
  return fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function json<T>(response: Response, status: number): Promise<T> {
  const text = await response.text();
  expect(response.status, text.slice(0, 300)).toBe(status);
  return JSON.parse(text) as T;
}

async function signIn(identifier: string, password: string): Promise<string> {
  const body = await json<{ accessToken: string }>(
    await api("POST", "/auth/login", { identifier, password }),
    200,
  );
  return body.accessToken;
}

/** A new account with this global role (set by the dev admin through the API), in tenant `default`. */
async function account(name: string, role: "admin" | "gestor" | "usuario", admin: string): Promise<Account> {
  const username = `${name}.${tag}`;
  const password = `correct horse console ${tag}`;
  const registered = await json<{ user: { id: string } }>(
    await api("POST", "/auth/register", {
      username,
      email: `${username}@example.com`,
      password,
      name: `${name} ${tag}`,
    }),
    201,
  );
  const id = registered.user.id;
  if (role !== "usuario") {
    await json(await api("PUT", `/api/users/${id}/role`, { role }, admin), 200);
    // Into the dev admin's tenant the product's way: an invite to the matching profile, used.
    const invite = await json<{ id: string; codigo: string }>(
      await api("POST", "/api/tokens/", { tipo_destino: role, organizacao: "default" }, admin),
      201,
    );
    const token = await signIn(username, password);
    await json(await api("POST", `/api/tokens/${invite.id}/use/`, { codigo: invite.codigo }, token), 200);
  }
  return { id, username, password, token: await signIn(username, password) };
}

/** Turns TOTP on through the API with oathtool's code; the console sign-in then uses a later step. */
async function enableTotp(user: Account): Promise<void> {
  const setup = await json<{ secret: string }>(
    await api("POST", "/auth/2fa/setup", undefined, user.token),
    200,
  );
  await json(
    await api("POST", "/auth/2fa/enable", { code: oathtool(setup.secret), method: "totp" }, user.token),
    200,
  );
  user.secret = setup.secret;
}

/**
 * The next step's code: enabling spent the current step (the replay guard refuses it again), and
 * the Worker accepts one step either side, so each account signs in to the console once with it.
 */
function nextCode(secret: string): string {
  return oathtool(secret, Math.floor(Date.now() / 1000) + 30);
}

async function consoleSignIn(page: Page, user: Account): Promise<void> {
  await page.goto(`${baseUrl}/admin/entrar`);
  await page.getByLabel("Usuário ou e-mail").fill(user.username);
  await page.getByLabel("Senha").fill(user.password);
  await page.getByRole("button", { name: "Continuar" }).click();
  await page.getByLabel("Código de 6 dígitos").fill(nextCode(user.secret!));
  await page.getByRole("button", { name: "Entrar" }).click();
}

async function accessible(page: Page): Promise<void> {
  expect(await seriousViolations(page)).toEqual([]);
}

describe("the admin console in a real browser", () => {
  let browser: Browser;
  let devAdmin: string;
  let admin: Account;
  let gestor: Account;
  let usuario: Account;
  let adminContext: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    devAdmin = await signIn("admin", "admin");
    admin = await account("console.admin", "admin", devAdmin);
    gestor = await account("console.gestor", "gestor", devAdmin);
    usuario = await account("console.usuario", "usuario", devAdmin);
    await enableTotp(admin);
    await enableTotp(gestor);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    adminContext = await browser.newContext({ locale: "pt-BR", viewport: { width: 1280, height: 900 } });
    page = await adminContext.newPage();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("signs an admin in with password and TOTP, behind strict headers", async () => {
    const response = await page.goto(`${baseUrl}/admin/`);
    expect(page.url()).toBe(`${baseUrl}/admin/entrar`);
    expect(response?.headers()["content-security-policy"]).toContain("script-src 'self'");
    expect(response?.headers()["x-frame-options"]).toBe("DENY");
    await shot(page, "01-entrar");
    await accessible(page);

    await page.getByLabel("Usuário ou e-mail").fill(admin.username);
    await page.getByLabel("Senha").fill(admin.password);
    await page.getByRole("button", { name: "Continuar" }).click();
    await page.getByLabel("Código de 6 dígitos").waitFor();
    await shot(page, "02-codigo");
    await accessible(page);
    await page.getByLabel("Código de 6 dígitos").fill("000000");
    await page.getByRole("button", { name: "Entrar" }).click();
    await page.getByRole("alert").waitFor();
    expect(await page.getByRole("alert").textContent()).toContain("Código incorreto");
    await page.getByLabel("Código de 6 dígitos").fill(nextCode(admin.secret!));
    await page.getByRole("button", { name: "Entrar" }).click();
    await page.getByRole("heading", { name: "Convites", level: 1 }).waitFor();
    expect(page.url()).toBe(`${baseUrl}/admin/convites`);
    const menu = await page
      .getByRole("navigation", { name: "Seções do console" })
      .getByRole("link")
      .allInnerTexts();
    expect(menu).toEqual([
      "Convites",
      "Uso",
      "Ajudar usuários com códigos",
      "Tokens de API",
      "Usuários e papéis",
      "Organizações",
      "Webhooks",
      "Auditoria",
    ]);
  });

  it("creates an invite, shows its code once with the quota, and revokes it after confirmation", async () => {
    await page.goto(`${baseUrl}/admin/convites`);
    await shot(page, "03-convites");
    await accessible(page);
    await page.getByLabel("Perfil").selectOption("associado");
    await page.getByLabel("Organização do convite").fill("default");
    await page.getByRole("button", { name: "Criar convite" }).click();
    await page.getByRole("heading", { name: "Convite criado" }).waitFor();
    const code = (await page.locator("#codigo-convite").textContent())?.trim() ?? "";
    expect(code).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Number(await page.locator("#cota").textContent())).toBeGreaterThanOrEqual(0);
    // The copy button is the page's one script: shown only where the script runs.
    expect(await page.getByRole("button", { name: "Copiar" }).isVisible()).toBe(true);
    await shot(page, "04-convite-criado");
    await accessible(page);

    // The code is never shown again: not on the detail page, not in the list.
    await page.getByRole("link", { name: "Ver o convite" }).click();
    await page.getByRole("heading", { name: "Histórico" }).waitFor();
    expect(await page.content()).not.toContain(code);
    const history = await page.getByRole("table").locator("tbody tr").allInnerTexts();
    expect(history.some((row) => row.includes("invite.create") && row.includes("sucesso"))).toBe(true);
    await shot(page, "05-convite-detalhe");
    await accessible(page);

    // Revoking needs the confirmation box (the browser keeps the form until it is ticked).
    await page.getByRole("button", { name: "Revogar convite" }).click();
    expect(await page.getByRole("heading", { name: "Histórico" }).isVisible()).toBe(true);
    await page.getByLabel("Confirmo: revogar este convite (não tem volta)").check();
    await page.getByRole("button", { name: "Revogar convite" }).click();
    await page.getByText("Convite revogado.").waitFor();
    expect(await page.locator("dl.facts").textContent()).toContain("Revogado");
    const rows = await page.getByRole("table").locator("tbody tr").allInnerTexts();
    expect(rows.some((row) => row.includes("invite.revoke") && row.includes("sucesso"))).toBe(true);
    await shot(page, "06-convite-revogado");
    await accessible(page);

    // The API agrees: the invite is revoked.
    const id = page.url().split("/").at(-1)!.split("?")[0]!;
    const listed = await json<{ items: Array<{ id: string; estado: string }> }>(
      await api("GET", "/api/tokens/?estado=revogado&limit=100", undefined, admin.token),
      200,
    );
    expect(listed.items.find((item) => item.id === id)?.estado).toBe("revogado");
  });

  it("refuses a form posted without the CSRF token or from another origin", async () => {
    const noToken = await adminContext.request.post(`${baseUrl}/admin/convites`, {
      form: { tipo_destino: "associado", organizacao: "default" },
      headers: { origin: baseUrl },
      maxRedirects: 0,
    });
    expect(noToken.status()).toBe(403);
    expect(await noToken.text()).toContain("Não foi possível confirmar este formulário");
    await page.goto(`${baseUrl}/admin/convites`);
    const csrf = await page
      .locator('form[action="/admin/convites"][method="post"] input[name="csrf"]')
      .inputValue();
    const crossSite = await adminContext.request.post(`${baseUrl}/admin/convites`, {
      form: { csrf, tipo_destino: "associado", organizacao: "default" },
      headers: { origin: "https://evil.example" },
      maxRedirects: 0,
    });
    expect(crossSite.status()).toBe(403);
    await page.setContent(await crossSite.text());
    await shot(page, "07-formulario-recusado");
    // The same token from this origin works: the refusals were about the token and the origin.
    const accepted = await adminContext.request.post(`${baseUrl}/admin/convites`, {
      form: { csrf, tipo_destino: "associado", organizacao: "default" },
      headers: { origin: baseUrl },
      maxRedirects: 0,
    });
    expect(accepted.status()).toBe(200);
    expect(await accepted.text()).toContain("Convite criado");
  });

  it("shows a gestor only their own invites, and a usuario the 403 page", async () => {
    const mine = await json<{ id: string; codigo: string }>(
      await api("POST", "/api/tokens/", { tipo_destino: "associado", organizacao: "default" }, gestor.token),
      201,
    );
    const context = await browser.newContext({ locale: "pt-BR", viewport: { width: 1280, height: 900 } });
    const gestorPage = await context.newPage();
    await consoleSignIn(gestorPage, gestor);
    await gestorPage.getByRole("heading", { name: "Convites", level: 1 }).waitFor();
    const links = await gestorPage
      .getByRole("table")
      .locator("tbody a")
      .evaluateAll((anchors) => anchors.map((anchor) => anchor.getAttribute("href")));
    expect(links).toEqual([`/admin/convites/${mine.id}`]);
    const menu = await gestorPage
      .getByRole("navigation", { name: "Seções do console" })
      .getByRole("link")
      .allInnerTexts();
    expect(menu).toEqual(["Convites", "Uso", "Organizações"]);
    await shot(gestorPage, "08-gestor-convites");
    await accessible(gestorPage);
    expect((await gestorPage.goto(`${baseUrl}/admin/usuarios`))?.status()).toBe(403);
    await gestorPage.getByRole("heading", { name: "Acesso negado" }).waitFor();
    await context.close();

    const other = await browser.newContext({ locale: "pt-BR" });
    const usuarioPage = await other.newPage();
    await usuarioPage.goto(`${baseUrl}/admin/entrar`);
    await usuarioPage.getByLabel("Usuário ou e-mail").fill(usuario.username);
    await usuarioPage.getByLabel("Senha").fill(usuario.password);
    const [response] = await Promise.all([
      usuarioPage.waitForResponse((candidate) => candidate.request().method() === "POST"),
      usuarioPage.getByRole("button", { name: "Continuar" }).click(),
    ]);
    expect(response.status()).toBe(403);
    await usuarioPage.getByRole("heading", { name: "Acesso negado" }).waitFor();
    await shot(usuarioPage, "09-usuario-403");
    await accessible(usuarioPage);
    await other.close();
  });

  it("sends a user a code by e-mail on their behalf and shows its state, never the code", async () => {
    await page.goto(`${baseUrl}/admin/codigos`);
    await shot(page, "10-codigos");
    await accessible(page);
    await page.getByLabel("Usuário ou e-mail").fill(usuario.username);
    await page.getByRole("button", { name: "Buscar" }).click();
    await page.getByRole("button", { name: `Enviar código para ${usuario.username}` }).click();
    await page.getByText("Código enviado por e-mail.").waitFor();
    expect(await page.locator("#situacao-codigo").textContent()).toBe("Enviado, ainda não validado");
    expect(await page.locator("main").textContent()).not.toMatch(/\b\d{6}\b/);
    await shot(page, "11-codigo-enviado");
    await accessible(page);
    // The API sees the same code: the user's latest confirmation code exists and waits.
    const wrong = await api("POST", "/tokens/validar-codigo/", { codigo: "000000" }, usuario.token);
    expect([400, 409]).toContain(wrong.status);
    await page.reload();
    expect(await page.locator("main").textContent()).toContain("Tentativas erradas");
  });

  it("lists every API token with its owner and revokes one", async () => {
    const created = await json<{ id: string; token: string }>(
      await api("POST", "/api/api-tokens/", { nome: `console ${tag}`, scope: "read" }, gestor.token),
      201,
    );
    expect((await api("GET", "/auth/me", undefined, created.token)).status).toBe(200);
    await page.goto(`${baseUrl}/admin/tokens-de-api`);
    const row = page.getByRole("row").filter({ hasText: `console ${tag}` });
    expect(await row.textContent()).toContain(gestor.id);
    await shot(page, "12-tokens-de-api");
    await accessible(page);
    await row.getByRole("button", { name: `Revogar o token console ${tag}` }).click();
    await page.getByText("Token revogado.").waitFor();
    expect(
      await page
        .getByRole("row")
        .filter({ hasText: `console ${tag}` })
        .textContent(),
    ).toContain("Revogado");
    expect((await api("GET", "/auth/me", undefined, created.token)).status).toBe(401);
  });

  it("shows users with role, two-factor and last sign-in, and changes a role within the rules", async () => {
    await page.goto(`${baseUrl}/admin/usuarios?q=${encodeURIComponent(tag)}`);
    const gestorRow = page.getByRole("row").filter({ hasText: gestor.username });
    expect(await gestorRow.textContent()).toContain("Ativa");
    expect(await gestorRow.textContent()).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    // One's own role cannot be changed: no form on one's own row.
    expect(await page.getByRole("row").filter({ hasText: admin.username }).getByRole("button").count()).toBe(
      0,
    );
    await shot(page, "13-usuarios");
    await accessible(page);
    const usuarioRow = page.getByRole("row").filter({ hasText: usuario.username });
    await usuarioRow.getByLabel(`Novo papel de ${usuario.username}`).selectOption("gestor");
    await usuarioRow.getByRole("button", { name: `Salvar o papel de ${usuario.username}` }).click();
    await page.getByText("Papel alterado.").waitFor();
    const listed = await json<{ users: Array<{ id: string; role: string }> }>(
      await api("GET", `/api/users?q=${encodeURIComponent(usuario.username)}`, undefined, admin.token),
      200,
    );
    expect(listed.users.find((user) => user.id === usuario.id)?.role).toBe("gestor");
    // Root is above an admin's own role: not offered, and refused if posted anyway.
    expect(await usuarioRow.locator("option").allInnerTexts()).not.toContain("root");
  });

  it("shows the audit log and checks the hash chain", async () => {
    // An admin reads the rows of their tenants (the audit API's rule): the invite rows here.
    await page.goto(`${baseUrl}/admin/auditoria?evento=invite.create&ator=${admin.id}`);
    const rows = await page.getByRole("table").locator("tbody tr").allInnerTexts();
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(rows.every((row) => row.includes("invite.create") && row.includes(admin.id))).toBe(true);
    await shot(page, "14-auditoria");
    await accessible(page);
    await page.getByRole("button", { name: "Verificar a cadeia" }).click();
    await page.locator("#resultado-cadeia").waitFor();
    expect(await page.locator("#resultado-cadeia").textContent()).toContain("Cadeia íntegra");
    await shot(page, "15-auditoria-cadeia");
    await accessible(page);
  });

  it("shows the webhook delivery log", async () => {
    const response = await page.goto(`${baseUrl}/admin/webhooks`);
    expect(response?.status()).toBe(200);
    await page.getByRole("heading", { name: "Webhooks", level: 1 }).waitFor();
    await shot(page, "16-webhooks");
    await accessible(page);
  });

  it("draws the usage chart with its data table", async () => {
    await page.goto(`${baseUrl}/admin/uso`);
    const chart = page.getByRole("img", { name: /Convites por dia nos últimos 30 dias/ });
    await chart.waitFor();
    const today = new Date().toISOString().slice(0, 10);
    const label = `${today.slice(8, 10)}/${today.slice(5, 7)}/${today.slice(0, 4)}`;
    const cells = await page
      .locator("#tabela-uso tbody tr")
      .filter({ hasText: label })
      .locator("td")
      .allInnerTexts();
    const [created, , revoked] = cells.map(Number);
    expect(created).toBeGreaterThanOrEqual(2);
    expect(revoked).toBeGreaterThanOrEqual(1);
    expect(await page.locator("#tabela-uso tbody tr").count()).toBe(30);
    await shot(page, "17-uso");
    await accessible(page);
  });

  it("creates a tenant, changes its settings, assigns an agent a role and removes it; a gestor sees only theirs", async () => {
    const slug = `org-${tag}`;
    const otherSlug = `outra-${tag}`;
    await json(await api("POST", "/api/tenants", { slug: otherSlug, name: `Outra ${tag}` }, devAdmin), 201);
    const agent = await account("console.agente", "gestor", devAdmin);
    await enableTotp(agent);
    const agentEmail = `${agent.username}@example.com`;

    await page.goto(`${baseUrl}/admin/tenants`);
    await page.getByRole("heading", { name: "Organizações", level: 1 }).waitFor();
    await shot(page, "18-organizacoes");
    await accessible(page);
    await page.getByLabel("Identificador (slug)").fill(slug);
    await page.getByLabel("Nome", { exact: true }).fill(`Organização ${tag}`);
    await page.getByLabel("Tempo de sessão (segundos)").fill("1800");
    await page.getByLabel("Exigir segundo fator de todos").check();
    await page.getByRole("button", { name: "Criar organização" }).click();
    await page.getByText("Organização criada.").waitFor();
    expect(page.url()).toBe(`${baseUrl}/admin/tenants/${slug}?aviso=criado`);
    await shot(page, "19-organizacao-criada");
    await accessible(page);
    const created = await json<{ name: string; session_timeout_seconds: number; mfa_required: boolean }>(
      await api("GET", `/api/tenants/${slug}`, undefined, admin.token),
      200,
    );
    expect(created).toMatchObject({
      name: `Organização ${tag}`,
      session_timeout_seconds: 1800,
      mfa_required: true,
    });

    await page.getByLabel("Nome", { exact: true }).fill(`Renomeada ${tag}`);
    await page.getByLabel("Exigir segundo fator de todos").uncheck();
    await page.getByRole("button", { name: "Salvar configurações" }).click();
    await page.getByText("Configurações salvas.").waitFor();
    await shot(page, "20-organizacao-configuracoes");
    await accessible(page);
    const changed = await json<{ name: string; mfa_required: boolean }>(
      await api("GET", `/api/tenants/${slug}`, undefined, admin.token),
      200,
    );
    expect(changed).toMatchObject({ name: `Renomeada ${tag}`, mfa_required: false });

    await page.getByLabel("Id do usuário").fill(agent.id);
    await page.getByLabel("Papel", { exact: true }).selectOption("gestor");
    await page.getByRole("button", { name: "Atribuir papel" }).click();
    await page.getByText("Papel atribuído.").waitFor();
    expect(await page.getByRole("row").filter({ hasText: agentEmail }).textContent()).toContain("gestor");
    await shot(page, "21-organizacao-agentes");
    await accessible(page);
    const roles = await json<Array<{ agent_id: string; role: string }>>(
      await api("GET", `/tenants/${slug}/roles`, undefined, admin.token),
      200,
    );
    expect(roles.find((role) => role.agent_id === agent.id)?.role).toBe("gestor");

    // The agent, a global gestor, sees this tenant and not the other one, and no create nor settings.
    const context = await browser.newContext({ locale: "pt-BR", viewport: { width: 1280, height: 900 } });
    const gestorPage = await context.newPage();
    await consoleSignIn(gestorPage, agent);
    await gestorPage.getByRole("heading", { name: "Convites", level: 1 }).waitFor();
    await gestorPage.goto(`${baseUrl}/admin/tenants`);
    const listed = await gestorPage.getByRole("table").locator("tbody tr").allInnerTexts();
    expect(listed.some((row) => row.includes(slug))).toBe(true);
    expect(listed.some((row) => row.includes(otherSlug))).toBe(false);
    expect(await gestorPage.getByRole("button", { name: "Criar organização" }).count()).toBe(0);
    await shot(gestorPage, "22-gestor-organizacoes");
    await accessible(gestorPage);
    expect((await gestorPage.goto(`${baseUrl}/admin/tenants/${otherSlug}`))?.status()).toBe(404);
    await gestorPage.getByRole("heading", { name: "Não encontrado" }).waitFor();
    await shot(gestorPage, "23-gestor-organizacao-404");
    await accessible(gestorPage);
    await gestorPage.goto(`${baseUrl}/admin/tenants/${slug}`);
    expect(await gestorPage.getByRole("button", { name: "Salvar configurações" }).count()).toBe(0);
    expect(await gestorPage.getByLabel("Papel", { exact: true }).locator("option").allInnerTexts()).toEqual([
      "gestor",
      "usuario",
    ]);
    await shot(gestorPage, "24-gestor-organizacao");
    await accessible(gestorPage);
    const rolesAction = `/admin/tenants/${slug}/papeis`;
    const csrf = await gestorPage
      .locator(`form[action="${rolesAction}"][method="post"] input[name="csrf"]`)
      .first()
      .inputValue();
    const above = await context.request.post(`${baseUrl}${rolesAction}`, {
      form: { csrf, agent_id: usuario.id, role: "admin" },
      headers: { origin: baseUrl },
      maxRedirects: 0,
    });
    expect(above.status()).toBe(403);
    const aboveHtml = await above.text();
    expect(aboveHtml).toContain("Ninguém concede um papel acima do próprio.");
    const noCsrf = await context.request.post(`${baseUrl}${rolesAction}`, {
      form: { agent_id: usuario.id, role: "usuario" },
      headers: { origin: baseUrl },
      maxRedirects: 0,
    });
    expect(noCsrf.status()).toBe(403);
    expect(await noCsrf.text()).toContain("Não foi possível confirmar este formulário");
    const create = await context.request.post(`${baseUrl}/admin/tenants`, {
      form: { csrf, slug: `gestor-${tag}`, name: "Não" },
      headers: { origin: baseUrl },
      maxRedirects: 0,
    });
    expect(create.status()).toBe(403);
    expect((await api("GET", `/api/tenants/gestor-${tag}`, undefined, admin.token)).status).toBe(404);
    await gestorPage.setContent(aboveHtml);
    await shot(gestorPage, "25-papel-acima-recusado");
    await accessible(gestorPage);
    await context.close();

    // The admin removes the agent, after the confirmation.
    await page.goto(`${baseUrl}/admin/tenants/${slug}`);
    const row = page.getByRole("row").filter({ hasText: agentEmail });
    await row.getByLabel(`Confirmo remover ${agentEmail}`).check();
    await row.getByRole("button", { name: `Remover ${agentEmail}` }).click();
    await page.getByText("Agente removido da organização.").waitFor();
    expect(await page.getByRole("row").filter({ hasText: agentEmail }).count()).toBe(0);
    await shot(page, "26-agente-removido");
    await accessible(page);
    const after = await json<Array<{ agent_id: string }>>(
      await api("GET", `/tenants/${slug}/roles`, undefined, admin.token),
      200,
    );
    expect(after.some((role) => role.agent_id === agent.id)).toBe(false);
  }, 180_000);

  it("signs out", async () => {
    await page.goto(`${baseUrl}/admin/convites`);
    await page.getByRole("button", { name: "Sair" }).click();
    await page.getByText("Você saiu do console.").waitFor();
    await page.goto(`${baseUrl}/admin/convites`);
    expect(page.url()).toBe(`${baseUrl}/admin/entrar`);
  });
});
