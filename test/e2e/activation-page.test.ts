import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { CHROMIUM, CHROMIUM_ARGS, oathtool, screenshots, seriousViolations } from "../helpers/chromium";

const baseUrl = inject("baseUrl");
const PAGE = `${baseUrl}/tokens/ativar-2fa/`;

// Screenshots of each step, for review (test-results/ is git-ignored).
const shot = screenshots("ativar-2fa");

async function post(path: string, body: unknown, token?: string): Promise<Response> {
  return fetch(`${baseUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
}

describe("/tokens/ativar-2fa/ in a real browser", () => {
  let browser: Browser;
  const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const account = {
    username: `pagina.${tag}`,
    email: `pagina.${tag}@example.com`,
    password: `correct horse page ${tag}`,
    name: "Joana Página",
  };

  beforeAll(async () => {
    expect((await post("/auth/register", account)).status).toBe(201);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("signs in, shows the QR code and secret, enables with oathtool's code and shows the recovery codes", async () => {
    const context = await browser.newContext({ locale: "pt-BR", viewport: { width: 900, height: 1000 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`page: ${error.message}`));
    page.on("requestfailed", (request) => problems.push(`failed: ${request.url()}`));

    const response = await page.goto(PAGE);
    expect(response?.status()).toBe(200);
    expect(response?.headers()["content-security-policy"]).toContain("default-src 'none'");
    await shot(page, "1-entrar");
    expect(await seriousViolations(page)).toEqual([]);
    // The stylesheet came from the Worker; focus starts in the first field and Tab follows the form.
    expect(await page.evaluate("getComputedStyle(document.querySelector('main .card')).borderRadius")).toBe(
      "12px",
    );
    expect(await page.locator(":focus").getAttribute("id")).toBe("identificador");
    await page.keyboard.press("Tab");
    expect(await page.locator(":focus").getAttribute("id")).toBe("senha");
    await page.keyboard.press("Tab");
    expect(await page.locator(":focus").textContent()).toBe("Entrar");

    await page.getByLabel("Usuário ou e-mail").fill(account.email);
    await page.getByLabel("Senha").fill(account.password);
    await page.getByRole("button", { name: "Entrar" }).click();
    await page.getByRole("button", { name: "Começar" }).waitFor();
    await shot(page, "2-comecar");
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole("button", { name: "Começar" }).click();
    await page.getByRole("img", { name: "Código QR para o aplicativo autenticador" }).waitFor();
    const secret = ((await page.locator("#chave").textContent()) ?? "").replace(/\s/g, "");
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await shot(page, "3-codigo-qr");
    expect(await seriousViolations(page)).toEqual([]);

    // A wrong code first: the page says so and keeps the same secret.
    const right = oathtool(secret);
    await page.getByLabel("Código de 6 dígitos").fill(right === "000000" ? "000001" : "000000");
    await page.getByRole("button", { name: "Ativar" }).click();
    await page.getByRole("alert").waitFor();
    expect(await page.getByRole("alert").textContent()).toContain("Código incorreto");
    expect(((await page.locator("#chave").textContent()) ?? "").replace(/\s/g, "")).toBe(secret);
    await shot(page, "4-codigo-errado");

    await page.getByLabel("Código de 6 dígitos").fill(oathtool(secret));
    await page.getByRole("button", { name: "Ativar" }).click();
    const list = page.getByRole("list", { name: "Códigos de recuperação" });
    await list.waitFor();
    const codes = await list.locator("li").allInnerTexts();
    expect(codes).toHaveLength(10);
    for (const code of codes) expect(code).toMatch(/^[0-9a-z]{5}-[0-9a-z]{5}$/);
    await shot(page, "5-codigos-de-recuperacao");
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole("link", { name: "Já guardei os códigos" }).click();
    await page.getByText("Ativa", { exact: true }).waitFor();
    await shot(page, "6-ativa");
    expect(await seriousViolations(page)).toEqual([]);
    // The one failed load is the deliberate wrong code (answered 400): nothing else failed or was blocked.
    expect(problems).toEqual([
      "console: Failed to load resource: the server responded with a status of 400 (Bad Request)",
    ]);

    // The API now asks for the second factor; oathtool's code of the next step is accepted once.
    const credentials = { identifier: account.username, password: account.password };
    const required = await post("/auth/login", credentials);
    expect(required.status).toBe(401);
    expect(((await required.json()) as { code: string }).code).toBe("TWO_FACTOR_REQUIRED");
    const next = oathtool(secret, Math.floor(Date.now() / 1000) + 30);
    expect((await post("/auth/login", { ...credentials, twoFactorCode: next })).status).toBe(200);
    expect((await post("/auth/login", { ...credentials, twoFactorCode: next })).status).toBe(401);
    expect((await post("/auth/login", { ...credentials, twoFactorCode: codes[0] })).status).toBe(200);
    await context.close();
  });

  it("refuses a form posted without its CSRF token", async () => {
    const other = { ...account, username: `csrf.${tag}`, email: `csrf.${tag}@example.com` };
    expect((await post("/auth/register", other)).status).toBe(201);
    const context = await browser.newContext({ locale: "pt-BR" });
    const page = await context.newPage();
    await page.goto(PAGE);
    await page.getByLabel("Usuário ou e-mail").fill(other.username);
    await page.getByLabel("Senha").fill(other.password);
    await page.getByRole("button", { name: "Entrar" }).click();
    await page.getByRole("button", { name: "Começar" }).waitFor();

    // The same browser (its cookies), the same origin, but no token: refused, nothing changed.
    const forged = await context.request.post(PAGE, {
      form: { acao: "configurar" },
      headers: { origin: baseUrl },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
    expect(await forged.text()).toContain("Não foi possível confirmar este formulário");
    const wrongToken = await context.request.post(PAGE, {
      form: { acao: "configurar", csrf: "0".repeat(64) },
      maxRedirects: 0,
    });
    expect(wrongToken.status()).toBe(403);
    await page.setContent(await forged.text());
    await shot(page, "7-csrf-recusado");

    await page.goto(PAGE);
    await page.getByRole("button", { name: "Começar" }).waitFor();
    expect(await page.locator("#chave").count()).toBe(0);
    await context.close();
  });
});
