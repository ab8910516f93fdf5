import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { hashSecret } from "../../../src/platform/secrets";
import { createHarness, type Harness, jsonRequest, register } from "../../helpers/accounts";
import { csrfOf, PAGE, PageBrowser, setCookies } from "../../helpers/page-browser";
import { codeAt, userWithTotp } from "../../helpers/two-factor";

let harness: Harness;
beforeAll(() => {
  harness = createHarness();
});

/** The secret as the page shows it (grouped by four). */
function secretOf(html: string): string {
  const shown = /<code id="chave">([A-Z2-7 ]+)<\/code>/.exec(html)?.[1];
  expect(shown, "the secret on the page").toBeDefined();
  return shown!.replace(/ /g, "");
}

function recoveryCodesOf(html: string): string[] {
  return [...html.matchAll(/<li>([0-9a-z]{5}-[0-9a-z]{5})<\/li>/g)].map((match) => match[1]!);
}

async function signIn(browser: PageBrowser, identifier: string, password: string) {
  await browser.get();
  return browser.submit("entrar", { identificador: identifier, senha: password });
}

describe("GET /tokens/ativar-2fa/", () => {
  it("is a Portuguese sign-in form with strict headers and a __Host- nonce cookie", async () => {
    const browser = new PageBrowser(harness.send);
    const response = await browser.get();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html; charset=UTF-8/i);
    const csp = response.headers.get("content-security-policy")!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|script-src/);
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(browser.html).toContain('<html lang="pt-BR">');
    expect(browser.html).toContain('<label for="identificador">Usuário ou e-mail</label>');
    expect(browser.html).toContain('<link rel="stylesheet" href="/assets/page.css"/>');
    expect(browser.html).not.toMatch(/<script|style=/i);
    expect(csrfOf(browser.html, "entrar")).toMatch(/^[0-9a-f]{64}$/);
    const [nonce] = setCookies(response);
    expect(nonce).toMatchObject({
      name: "__Host-edge_auth_form",
      attributes: { path: "/", httponly: true, secure: true, samesite: "Strict" },
    });
    expect(nonce!.attributes.domain).toBeUndefined();
  });

  it("serves its stylesheet from the Worker", async () => {
    const response = await harness.send("/assets/page.css");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(await response.text()).toContain(":focus-visible");
  });
});

describe("turning two-factor on through the page", () => {
  it("signs in, shows the QR code and the secret, enables with a code and shows the recovery codes once", async () => {
    const { account, userId } = await register(harness.send);
    const browser = new PageBrowser(harness.send);
    await browser.get();
    const signedIn = await browser.post("entrar", { identificador: account.email, senha: account.password });
    expect(signedIn.status).toBe(303);
    const session = setCookies(signedIn).find((cookie) => cookie.name === "__Host-edge_auth_page")!;
    expect(session.attributes).toMatchObject({
      httponly: true,
      secure: true,
      samesite: "Strict",
      path: "/",
      "max-age": "1800",
    });
    expect(session.value).toMatch(/^pst_[A-Za-z0-9_-]{43}$/);
    // Stored server-side as its SHA-256 only.
    const row = await env.DB.prepare("SELECT * FROM page_sessions WHERE user_id = ?").bind(userId).first();
    expect(row).toMatchObject({ token_hash: await hashSecret(session.value), stage: "signed_in" });
    expect(JSON.stringify(row)).not.toContain(session.value);

    await browser.get();
    expect(browser.html).toContain("Começar");
    await browser.submit("configurar");
    expect(browser.html).toMatch(
      /<svg[^>]+role="img"[^>]+aria-label="Código QR para o aplicativo autenticador"/,
    );
    const secret = secretOf(browser.html);
    expect(browser.html).toContain(`href="otpauth://totp/Edge%20Auth:${encodeURIComponent(account.email)}?`);

    const wrong = await browser.post("ativar", {
      codigo: codeAt(secret, harness.clock) === "000000" ? "000001" : "000000",
    });
    expect(wrong.status).toBe(400);
    expect(browser.html).toContain('role="alert"');
    expect(browser.html).toContain("Código incorreto");
    expect(secretOf(browser.html)).toBe(secret);

    const enabled = await browser.post("ativar", { codigo: codeAt(secret, harness.clock) });
    expect(enabled.status).toBe(200);
    expect(enabled.headers.get("cache-control")).toBe("no-store");
    const codes = recoveryCodesOf(browser.html);
    expect(codes).toHaveLength(10);
    await browser.get();
    expect(browser.html).toContain("Ativa");
    expect(recoveryCodesOf(browser.html)).toEqual([]);
    expect(browser.html).toContain("Códigos de recuperação ainda não usados: 10.");

    const events = (await harness.auditRows())
      .filter((entry) => entry.target_id === userId)
      .map((entry) => entry.event);
    expect(events).toEqual(expect.arrayContaining(["web.sign_in", "two_factor.setup", "two_factor.enable"]));
  });

  it("asks a user with two-factor on for the second factor, and renews the session token after it", async () => {
    const user = await userWithTotp(harness);
    const browser = new PageBrowser(harness.send);
    await signIn(browser, user.account.username, user.account.password);
    expect(browser.html).toContain("Confirme que é você");
    const pendingToken = browser.cookies.get("__Host-edge_auth_page")!;

    const wrong = await browser.post("segundo-fator", {
      codigo: "000000" === codeAt(user.secret, harness.clock) ? "000001" : "000000",
    });
    expect(wrong.status).toBe(401);
    expect(browser.html).toContain("Código incorreto");

    await browser.submit("segundo-fator", { codigo: codeAt(user.secret, harness.clock) });
    expect(browser.html).toContain("Verificação em duas etapas");
    expect(browser.html).toContain("Ativa");
    const signedInToken = browser.cookies.get("__Host-edge_auth_page")!;
    expect(signedInToken).not.toBe(pendingToken);

    // The token from before the second factor no longer opens anything.
    const stale = new PageBrowser(harness.send);
    stale.cookies.set("__Host-edge_auth_page", pendingToken);
    await stale.get();
    expect(stale.html).toContain('name="identificador"');
  });

  it("replaces the recovery codes and turns two-factor off", async () => {
    const user = await userWithTotp(harness);
    const browser = new PageBrowser(harness.send);
    await signIn(browser, user.account.username, user.account.password);
    await browser.submit("segundo-fator", { codigo: user.recoveryCodes[0]! });

    const renewed = await browser.post("novos-codigos", { codigo: codeAt(user.secret, harness.clock) });
    expect(renewed.status).toBe(200);
    const codes = recoveryCodesOf(browser.html);
    expect(codes).toHaveLength(10);
    expect(codes).not.toContain(user.recoveryCodes[1]);
    await browser.get();

    const badPassword = await browser.post("desativar", { senha: "not the password", codigo: codes[0]! });
    expect(badPassword.status).toBe(400);
    expect(browser.html).toContain("Senha incorreta.");
    const oldCode = await browser.post("desativar", {
      senha: user.account.password,
      codigo: user.recoveryCodes[1]!,
    });
    expect(oldCode.status).toBe(400);
    expect(browser.html).toContain("Código incorreto");

    await browser.submit("desativar", { senha: user.account.password, codigo: codes[0]! });
    expect(browser.html).toContain("A verificação em duas etapas foi desativada.");
    expect(browser.html).toContain("Começar");
  });
});

describe("the page's forms are protected", () => {
  it("refuses a form posted without its CSRF token, with another form's, or from another site", async () => {
    const { account } = await register(harness.send);
    const browser = new PageBrowser(harness.send);
    await signIn(browser, account.username, account.password);
    const signOutToken = csrfOf(browser.html, "sair")!;

    const missing = await browser.post("configurar", { csrf: "" });
    expect(missing.status).toBe(403);
    expect(browser.html).toContain("Não foi possível confirmar este formulário");
    const otherForm = await browser.post("configurar", { csrf: signOutToken });
    expect(otherForm.status).toBe(403);
    await browser.get();
    const crossSite = await browser.post("configurar", {}, { origin: "https://evil.example" });
    expect(crossSite.status).toBe(403);

    // Another browser's token does not work with this browser's cookie.
    const other = new PageBrowser(harness.send);
    const { account: otherAccount } = await register(harness.send);
    await signIn(other, otherAccount.username, otherAccount.password);
    await browser.get();
    const foreign = await browser.post("configurar", { csrf: csrfOf(other.html, "configurar")! });
    expect(foreign.status).toBe(403);

    // The sign-in form needs the nonce cookie it was issued with.
    const fresh = new PageBrowser(harness.send);
    await fresh.get();
    fresh.cookies.clear();
    const noNonce = await fresh.post("entrar", { identificador: account.username, senha: account.password });
    expect(noNonce.status).toBe(403);

    await browser.get();
    expect(browser.html).toContain("Começar");
    const refused = (await harness.auditRows()).filter((entry) => entry.event === "web.form");
    expect(refused.map((entry) => entry.reason)).toEqual(expect.arrayContaining(["csrf", "cross_site"]));
  });

  it("takes only form posts, bounded in size", async () => {
    const json = await harness.send(PAGE, jsonRequest({ acao: "entrar" }));
    expect(json.status).toBe(415);
    const browser = new PageBrowser(harness.send);
    await browser.get();
    const huge = await browser.post("entrar", { identificador: "x".repeat(70_000), senha: "y" });
    expect(huge.status).toBe(413);
  });

  it("says so on a wrong password, keeps the identifier, and never echoes the password", async () => {
    const { account } = await register(harness.send);
    const browser = new PageBrowser(harness.send);
    await browser.get();
    const response = await browser.post("entrar", {
      identificador: account.username,
      senha: "wrong-password-123",
    });
    expect(response.status).toBe(401);
    expect(browser.html).toContain("Usuário, e-mail ou senha incorretos.");
    expect(browser.html).toContain(`value="${account.username}"`);
    expect(browser.html).not.toContain("wrong-password-123");
  });

  it("ends the session on sign-out and when it expires", async () => {
    const { account } = await register(harness.send);
    const browser = new PageBrowser(harness.send);
    await signIn(browser, account.username, account.password);
    const signedOut = await browser.submit("sair");
    expect(signedOut.status).toBe(200);
    expect(browser.html).toContain("Você saiu.");
    expect(browser.cookies.has("__Host-edge_auth_page")).toBe(false);

    await signIn(browser, account.username, account.password);
    harness.clock.advance(1801_000);
    await browser.get();
    expect(browser.html).toContain('name="identificador"');
  });
});

describe("on http://localhost", () => {
  it("uses the same cookies without __Host- and Secure, which browsers refuse over plain HTTP", async () => {
    const local = createHarness({}, { origin: "http://localhost:8787" });
    const response = await local.send(PAGE);
    const [nonce] = setCookies(response);
    expect(nonce!.name).toBe("edge_auth_form");
    expect(nonce!.attributes).toMatchObject({ httponly: true, samesite: "Strict", path: "/" });
    expect(nonce!.attributes.secure).toBeUndefined();
  });
});
