import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { bearer, createHarness, type Harness, jsonRequest, register } from "../../helpers/accounts";
import { ConsoleBrowser } from "../../helpers/console-browser";
import { PageBrowser } from "../../helpers/page-browser";
import { authed, codeAt, lastEmailedCode, setupTotp } from "../../helpers/two-factor";

// Each test signs in more than once (an Argon2id hash each) on two shared cores.
const SLOW = 120_000;

interface Admin {
  id: string;
  username: string;
  password: string;
  accessToken: string;
  secret: string;
}

/** A registered admin with TOTP on. */
async function admin(harness: Harness): Promise<Admin> {
  const { userId, account, tokens } = await register(harness.send);
  await env.DB.prepare("UPDATE users SET role = 'admin' WHERE id = ?").bind(userId).run();
  const { secret } = await setupTotp(harness.send, tokens.accessToken);
  const enabled = await authed(harness.send, "/auth/2fa/enable", tokens.accessToken, {
    code: codeAt(secret, harness.clock),
  });
  expect(enabled.status).toBe(200);
  harness.clock.advance(30_000);
  return { id: userId, ...account, accessToken: tokens.accessToken, secret };
}

describe("page sessions and the account's cut-off", () => {
  it(
    "ends a console session when the password changes, as every API session ends",
    async () => {
      const harness = createHarness();
      const user = await admin(harness);
      const browser = new ConsoleBrowser(harness.send);
      const landed = await browser.signIn(user.username, user.password, codeAt(user.secret, harness.clock));
      expect(landed.status).toBe(200);
      harness.clock.advance(1_000);
      const changed = await harness.send(
        "/auth/password",
        jsonRequest(
          { currentPassword: user.password, newPassword: `${user.password}-new!` },
          bearer(user.accessToken),
        ),
      );
      expect(changed.status).toBe(200);
      const after = await browser.get("/admin/convites");
      expect(after.status).toBe(303);
      expect(after.headers.get("location")).toBe("/admin/entrar");
    },
    SLOW,
  );

  it(
    "ends a /tokens/ativar-2fa/ session when the password is reset, so it cannot turn two-factor on afterwards",
    async () => {
      const harness = createHarness();
      const { userId, account } = await register(harness.send);
      const page = new PageBrowser(harness.send);
      await page.get();
      await page.submit("entrar", { identificador: account.username, senha: account.password });
      harness.clock.advance(1_000);
      // The owner cuts every session off (as a reset or "logout everywhere" does).
      await env.DB.prepare(
        "UPDATE users SET tokens_valid_after = ?, token_epoch = token_epoch + 1 WHERE id = ?",
      )
        .bind(harness.clock.now().getTime(), userId)
        .run();
      harness.clock.advance(1_000);
      expect(page.html).toContain('value="configurar"');
      const response = await page.post("configurar");
      expect(response.status).toBe(303);
      expect(response.headers.get("location")).toBe("/tokens/ativar-2fa/?aviso=expirada");
      const { results } = await env.DB.prepare("SELECT user_id FROM two_factor WHERE user_id = ?")
        .bind(userId)
        .all();
      expect(results).toEqual([]);
    },
    SLOW,
  );
});

describe("the console's password form and the login limits", () => {
  it(
    "counts wrong passwords per identifier and client like POST /auth/login",
    async () => {
      const harness = createHarness({ RATE_LIMIT_LOGIN_IDENTIFIER_CLIENT: "3/600s" });
      const user = await admin(harness);
      const browser = new ConsoleBrowser(harness.send);
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 4; attempt++) {
        await browser.get("/admin/entrar");
        const response = await browser.post("/admin/entrar", {
          etapa: "senha",
          identificador: user.username,
          senha: "wrong password, surely",
        });
        statuses.push(response.status);
      }
      expect(statuses).toEqual([401, 401, 401, 429]);
      expect(browser.html).toContain("Limite atingido");
    },
    SLOW,
  );

  it(
    "does not charge a right password to the per-identifier budget, as POST /auth/login does not",
    async () => {
      const harness = createHarness({ RATE_LIMIT_LOGIN_IDENTIFIER: "2/600s" });
      const user = await admin(harness);
      for (let attempt = 0; attempt < 3; attempt++) {
        const browser = new ConsoleBrowser(harness.send);
        const landed = await browser.signIn(user.username, user.password, codeAt(user.secret, harness.clock));
        expect(landed.status).toBe(200);
        harness.clock.advance(30_000);
      }
    },
    SLOW,
  );
});

describe("an admin whose second factor is e-mailed", () => {
  it(
    "is sent a code after the password, told where it went, and enters with it",
    async () => {
      const harness = createHarness();
      const { userId, account, tokens } = await register(harness.send);
      await env.DB.prepare("UPDATE users SET role = 'admin' WHERE id = ?").bind(userId).run();
      const generated = await authed(harness.send, "/tokens/gerar-codigo/", tokens.accessToken, {
        purpose: "second_factor",
      });
      expect(generated.status).toBe(202);
      const enabled = await authed(harness.send, "/auth/2fa/enable", tokens.accessToken, {
        method: "email",
        code: lastEmailedCode(harness, account.email),
      });
      expect(enabled.status).toBe(200);
      harness.clock.advance(30_000);
      const sentBefore = harness.emails.length;
      const browser = new ConsoleBrowser(harness.send);
      await browser.get("/admin/entrar");
      const first = await browser.post("/admin/entrar", {
        etapa: "senha",
        identificador: account.username,
        senha: account.password,
      });
      expect(first.status).toBe(303);
      expect(harness.emails.length).toBe(sentBefore + 1);
      await browser.get("/admin/entrar");
      expect(browser.html).toContain("enviado por e-mail");
      const second = await browser.post("/admin/entrar", {
        etapa: "codigo",
        codigo: lastEmailedCode(harness, account.email),
      });
      expect(second.status, browser.html.slice(0, 300)).toBe(303);
      expect((await browser.follow(second)).status).toBe(200);
      expect(browser.html).toContain("<h1>Convites</h1>");
    },
    SLOW,
  );
});
