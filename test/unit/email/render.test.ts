import { describe, expect, it } from "vitest";
import { escapeHtml } from "../../../src/features/email/layout";
import { EMAIL_TEMPLATES, type EmailTemplate } from "../../../src/features/email/message";
import { renderEmail } from "../../../src/features/email/render";
import { EmailRenderError, linkWithToken } from "../../../src/features/email/templates";

const context = { appName: "Edge Auth", baseUrl: "https://app.example.test" };
const DATA: Record<EmailTemplate, Record<string, string>> = {
  "verify-email": { token: "vrf_Tok3n-value_0123456789", name: "Maria", expiresInMinutes: "1440" },
  "password-reset": { token: "prs_Tok3n-value_0123456789", name: "Maria", expiresInMinutes: "60" },
  "two-factor-code": { code: "482913", name: "Maria", expiresInMinutes: "10" },
  "api-token-leaked": { tokenName: "Deploy do CI", tokenStart: "eat_xK9mP2", name: "Maria" },
  "password-changed": { changedAt: "2026-11-23T15:42:25.157Z", method: "change", name: "Maria" },
  "two-factor-changed": {
    changedAt: "2026-11-23T15:42:25.157Z",
    change: "disabled",
    method: "totp",
    name: "Maria",
  },
};

describe("renderEmail", () => {
  it.each(EMAIL_TEMPLATES)(
    "%s: a subject, a text part and an HTML part saying the same thing",
    (template) => {
      const rendered = renderEmail({ template, data: DATA[template] }, context);
      expect(rendered.subject).toContain("Edge Auth");
      expect(rendered.text).toContain("Olá, Maria!");
      expect(rendered.html).toContain("Olá, Maria!");
      expect(rendered.html).toMatch(/^<!doctype html>\n<html lang="pt-BR">/);
      expect(rendered.html).toContain('<meta charset="utf-8">');
      expect(rendered.text).not.toMatch(/<[a-z]/i);
      // The leak notice carries no secret: only the token's name and its visible start; the
      // password-changed notice carries none at all.
      const secret = DATA[template].token ?? DATA[template].code ?? DATA[template].tokenStart;
      if (secret) {
        expect(rendered.text).toContain(secret);
        expect(rendered.html).toContain(secret);
        expect(rendered.subject).not.toContain(secret);
      }
    },
  );

  it("password-changed says when and how, and what to do if it was not the reader", () => {
    const changed = renderEmail({ template: "password-changed", data: DATA["password-changed"] }, context);
    expect(changed.subject).toBe("Sua senha do Edge Auth foi alterada");
    expect(changed.text).toContain("foi alterada em 23/11/2026 às 15:42 (UTC). As outras sessões");
    expect(changed.text).toContain("Esqueci minha senha");
    expect(changed.text).not.toMatch(/https?:/);
    const reset = renderEmail(
      { template: "password-changed", data: { changedAt: "2026-01-02T03:04:05.000Z", method: "reset" } },
      context,
    );
    expect(reset.text).toContain("foi redefinida em 02/01/2026 às 03:04 (UTC), com um link");
    expect(reset.text).toContain("Olá!");
  });

  it("two-factor-changed says what changed, how and when, and what to do if it was not the reader", () => {
    const render = (change: string, method: string) =>
      renderEmail(
        { template: "two-factor-changed", data: { ...DATA["two-factor-changed"], change, method } },
        context,
      );
    const disabled = render("disabled", "totp");
    expect(disabled.subject).toBe("A verificação em duas etapas do Edge Auth foi desativada");
    expect(disabled.text).toContain(
      "(aplicativo autenticador) foi desativada na sua conta do Edge Auth em 23/11/2026 às 15:42 (UTC)",
    );
    expect(disabled.text).toContain("Esqueci minha senha");
    expect(disabled.text).not.toMatch(/https?:/);
    expect(render("enabled", "email").text).toContain("(código por e-mail) foi ativada");
    expect(render("recovery-codes", "totp").text).toContain("Os códigos anteriores não valem mais.");
    expect(() => render("swapped", "totp")).toThrow(EmailRenderError);
  });

  it("verify-email and password-reset carry the token only in the URL fragment", () => {
    const verify = renderEmail({ template: "verify-email", data: DATA["verify-email"] }, context);
    const link = "https://app.example.test/verify-email#token=vrf_Tok3n-value_0123456789";
    expect(verify.text).toContain(`\n${link}\n`);
    expect(verify.html).toContain(`href="${link}"`);
    const reset = renderEmail({ template: "password-reset", data: DATA["password-reset"] }, context);
    expect(reset.text).toContain("https://app.example.test/reset-password#token=prs_Tok3n-value_0123456789");
    for (const part of [verify.text, verify.html, reset.text, reset.html]) {
      expect(part).not.toMatch(/[?&]token=/);
    }
  });

  it("links keep a base path, drop a query and encode the token", () => {
    expect(linkWithToken("https://example.test/app/?x=1", "/verify-email", "a b&c#d")).toBe(
      "https://example.test/app/verify-email#token=a%20b%26c%23d",
    );
  });

  it("escapes every value in the HTML part: name, app name and link", () => {
    const hostile = "<script>alert(\"x\")</script> & 'quoted'";
    const rendered = renderEmail(
      { template: "password-reset", data: { token: 'prs_"><img_src=x>', name: hostile } },
      { appName: 'Acme <b>"&"</b>', baseUrl: "https://app.example.test" },
    );
    expect(rendered.html).not.toContain("<script>");
    expect(rendered.html).not.toContain("<b>");
    expect(rendered.html).not.toContain('"><img');
    expect(rendered.html).toContain(escapeHtml(hostile));
    expect(rendered.html).toContain(
      "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;",
    );
    expect(rendered.html).toContain("Acme &lt;b&gt;&quot;&amp;&quot;&lt;/b&gt;");
    // The text part is plain text: values appear as they are.
    expect(rendered.text).toContain(hostile);
  });

  it("leaves out a greeting name that is not one line of ordinary text, and still renders", () => {
    for (const name of [
      "Maria\n\nYour account is locked: https://evil.example",
      "Maria\u202Egnp",
      "n".repeat(201),
    ]) {
      const rendered = renderEmail({ template: "password-reset", data: { token: "t", name } }, context);
      expect(rendered.text).toContain("Olá!");
      expect(rendered.text).not.toContain("Maria");
      expect(rendered.text).not.toContain("evil.example");
    }
    expect(
      renderEmail({ template: "verify-email", data: { token: "t", name: " Maria Silva " } }, context).text,
    ).toContain("Olá, Maria Silva!");
  });

  it("states durations in minutes or hours, and leaves them out when not given", () => {
    const text = (template: EmailTemplate, data: Record<string, string>) =>
      renderEmail({ template, data }, context).text;
    expect(text("verify-email", { token: "t", expiresInMinutes: "1440" })).toContain(
      "O link vale por 24 horas.",
    );
    expect(text("password-reset", { token: "t", expiresInMinutes: "60" })).toContain("vale por 1 hora e só");
    expect(text("two-factor-code", { code: "1234", expiresInMinutes: "1" })).toContain(
      "vale por 1 minuto e só",
    );
    expect(text("two-factor-code", { code: "1234", expiresInMinutes: "90" })).toContain(
      "vale por 90 minutos",
    );
    const withoutName = text("verify-email", { token: "t" });
    expect(withoutName).toContain("Olá!");
    expect(withoutName).not.toContain("vale por");
  });

  it("data that does not fit the template is an EmailRenderError naming the keys, never the values", () => {
    const attempts: [EmailTemplate, Record<string, string>, string[]][] = [
      ["verify-email", {}, ["token"]],
      ["password-reset", { token: "has space-secret" }, ["token"]],
      ["two-factor-code", { code: "12ab-secret" }, ["code"]],
      ["two-factor-code", { code: "123456", expiresInMinutes: "-5" }, ["expiresInMinutes"]],
    ];
    for (const [template, data, fields] of attempts) {
      const error = (() => {
        try {
          renderEmail({ template, data }, context);
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(EmailRenderError);
      expect((error as EmailRenderError).fields).toEqual(fields);
      expect((error as Error).message).not.toContain("secret");
    }
  });
});
