import type { App } from "../../../http/openapi";
import { AppError } from "../../../platform/errors";
import { passwordSizeProblem } from "../../accounts/password-policy";
import { rateLimit } from "../../rate-limit/middleware";
import { maskEmail } from "../../two-factor/emailed-codes";
import { ACTIVATION_PAGE_PATH } from "../../two-factor/pages/views";
import { readForm } from "../../web/form-body";
import {
  clearSessionCookie,
  formNonce,
  sentFormNonce,
  sessionCookie,
  setSessionCookie,
} from "../../web/page-cookies";
import { crossSitePost } from "../../web/page-headers";
import { checkPagePassword } from "../../web/page-password";
import { SignInFields } from "../../web/sign-in-fields";
import {
  type ConsolePage,
  forbiddenPage,
  invalid,
  type PageContext,
  principalOf,
  refusedFormPage,
  renderBare,
  requiredField,
  resumeConsole,
  SIGN_OUT_FORM,
  sectionsFor,
} from "../console";
import { Messages } from "../layout";
import { consoleMessage } from "../messages";
import { CONSOLE_ROOT, SIGN_IN_PATH, SIGN_OUT_PATH } from "../paths";

const PASSWORD_FORM = "admin:entrar";
const CODE_FORM = "admin:segundo-fator";

const NOTICES: Record<string, string> = {
  saiu: "Você saiu do console.",
  expirada: "Sua sessão terminou. Entre de novo.",
};

/**
 * `/admin/entrar`: password first (username or e-mail), then the authenticator's code. Only gestor
 * and above get past the password (a usuario sees the 403 page, audited), and only with two-factor
 * on (else a page says how to turn it on at `/tokens/ativar-2fa/`). The session is the pages' own
 * (`web/page-sessions.ts`): between the two steps it is a 5-minute `second_factor` session, and the
 * code replaces its token. `POST /admin/sair` ends it. `GET /admin/` goes to the first section
 * the visitor may open.
 */
export function registerSignIn(app: App): void {
  app.get(CONSOLE_ROOT, async (c) => {
    const visit = await resumeConsole(c);
    if (visit === "signed_out") return c.redirect(SIGN_IN_PATH, 303);
    if (visit === "no_two_factor") return c.redirect(`${SIGN_IN_PATH}?aviso=2fa`, 303);
    const [first] = sectionsFor(visit.principal);
    if (!first) return renderBare(c, forbiddenPage(), 403);
    return c.redirect(first.path, 303);
  });
  app.get(SIGN_IN_PATH, async (c) => showSignIn(c, { notice: NOTICES[c.req.query("aviso") ?? ""] }));
  app.post(SIGN_IN_PATH, rateLimit("login_ip"), async (c) => {
    if (crossSitePost(c)) {
      await c.get("services").web.sessions.refusedForm(PASSWORD_FORM, "cross_site", undefined);
      return renderBare(c, refusedFormPage(), 403);
    }
    const fields = await readForm(c, c.get("services").config.maxBodyBytes);
    try {
      return fields.etapa === "codigo" ? await secondStep(c, fields) : await firstStep(c, fields);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const message =
        error.code === "INVALID_CREDENTIALS"
          ? "Usuário, e-mail ou senha incorretos."
          : error.code === "INVALID_TWO_FACTOR_CODE" || error.code === "CODE_REJECTED"
            ? "Código incorreto ou já usado. Confira o aplicativo autenticador e tente de novo."
            : consoleMessage(error);
      if (message === undefined) throw error;
      for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
      const shown = await showSignIn(c, { error: message });
      return new Response(shown.body, { status: error.status, headers: shown.headers });
    }
  });
  app.post(SIGN_OUT_PATH, async (c) => {
    const { web, config } = c.get("services");
    if (crossSitePost(c)) {
      await web.sessions.refusedForm(SIGN_OUT_FORM, "cross_site", undefined);
      return renderBare(c, refusedFormPage(), 403);
    }
    const fields = await readForm(c, config.maxBodyBytes);
    const token = sessionCookie(c);
    const session = await web.sessions.resume(token);
    if (!session) return c.redirect(`${SIGN_IN_PATH}?aviso=expirada`, 303);
    if (!(await (await web.csrf()).verify(token, SIGN_OUT_FORM, fields.csrf))) {
      await web.sessions.refusedForm(SIGN_OUT_FORM, "csrf", session);
      return renderBare(c, refusedFormPage(), 403);
    }
    await web.sessions.end(token, session);
    clearSessionCookie(c);
    return c.redirect(`${SIGN_IN_PATH}?aviso=saiu`, 303);
  });
}

async function showSignIn(c: PageContext, messages: { error?: string; notice?: string }): Promise<Response> {
  const { web } = c.get("services");
  const csrf = await web.csrf();
  if (c.req.query("aviso") === "2fa") return renderBare(c, twoFactorRequiredPage(), 403);
  const token = sessionCookie(c);
  const session = await web.sessions.resume(token);
  if (session && token && session.stage === "second_factor") {
    const { method } = await c.get("services").twoFactor.enrolment.status(session.user.id);
    const sentTo = method === "email" ? maskEmail(session.user.email) : undefined;
    return renderBare(c, codePage(await csrf.issue(token, CODE_FORM), messages, sentTo));
  }
  if (session && token && !messages.error) {
    const visit = await resumeConsole(c);
    if (visit === "no_two_factor") return renderBare(c, twoFactorRequiredPage(), 403);
    if (visit !== "signed_out") return c.redirect(CONSOLE_ROOT, 303);
  }
  return renderBare(c, passwordPage(await csrf.issue(formNonce(c, web.random), PASSWORD_FORM), messages));
}

async function firstStep(c: PageContext, fields: Record<string, string>): Promise<Response> {
  const services = c.get("services");
  if (!(await (await services.web.csrf()).verify(sentFormNonce(c), PASSWORD_FORM, fields.csrf))) {
    await services.web.sessions.refusedForm(PASSWORD_FORM, "csrf", undefined);
    return renderBare(c, refusedFormPage(), 403);
  }
  const identifier = requiredField(fields, "identificador", 254);
  const password = fields.senha ?? "";
  if (!password || passwordSizeProblem(password)) throw invalid("senha");
  // The same per-identifier budgets as POST /auth/login: the console is no way around them.
  const user = await checkPagePassword(c, identifier, password);
  // Someone who may open no section (a usuario) learns that now, before any second factor.
  if (sectionsFor(principalOf(user)).length === 0) {
    await services.admin.refuseSignIn(user, "role");
    return renderBare(c, forbiddenPage(), 403);
  }
  const twoFactor = await services.twoFactor.enrolment.status(user.id);
  if (!twoFactor.enabled) {
    await services.admin.refuseSignIn(user, "two_factor_off");
    return renderBare(c, twoFactorRequiredPage(), 403);
  }
  // The e-mail method's code is sent now, as the login sends it when the second factor is due.
  if (twoFactor.method === "email") await services.twoFactor.emailedCodes.send(user, "second_factor", null);
  const { token } = await services.web.sessions.start(user, "second_factor");
  setSessionCookie(c, token, services.web.sessions.lifetimeSeconds("second_factor"));
  return c.redirect(SIGN_IN_PATH, 303);
}

async function secondStep(c: PageContext, fields: Record<string, string>): Promise<Response> {
  const services = c.get("services");
  const token = sessionCookie(c);
  const session = await services.web.sessions.resume(token);
  if (session?.stage !== "second_factor") return c.redirect(`${SIGN_IN_PATH}?aviso=expirada`, 303);
  if (!(await (await services.web.csrf()).verify(token, CODE_FORM, fields.csrf))) {
    await services.web.sessions.refusedForm(CODE_FORM, "csrf", session);
    return renderBare(c, refusedFormPage(), 403);
  }
  await services.accounts.login.checkSecondFactor(session.user, requiredField(fields, "codigo", 64));
  const signedIn = await services.web.sessions.completeSecondFactor(session);
  if (!signedIn) return c.redirect(`${SIGN_IN_PATH}?aviso=expirada`, 303);
  setSessionCookie(c, signedIn, services.web.sessions.lifetimeSeconds("signed_in"));
  return c.redirect(CONSOLE_ROOT, 303);
}

function passwordPage(csrf: string, messages: { error?: string; notice?: string }): ConsolePage {
  return {
    title: "Entrar",
    body: (
      <div class="card narrow">
        <h1>Entrar no console</h1>
        <p class="lead">Para administradores e gestores, com a verificação em duas etapas ativa.</p>
        <Messages {...messages} />
        <form method="post" action={SIGN_IN_PATH}>
          <input type="hidden" name="etapa" value="senha" />
          <input type="hidden" name="csrf" value={csrf} />
          <SignInFields />
          <button type="submit">Continuar</button>
        </form>
      </div>
    ),
  };
}

/** The second step; `sentTo` is the masked address an e-mail method's code went to. */
function codePage(csrf: string, messages: { error?: string; notice?: string }, sentTo?: string): ConsolePage {
  return {
    title: "Código de verificação",
    body: (
      <div class="card narrow">
        <h1>Código de verificação</h1>
        <p class="lead">
          {sentTo
            ? `Digite o código de 6 dígitos enviado por e-mail para ${sentTo}.`
            : "Digite o código de 6 dígitos do seu aplicativo autenticador."}
        </p>
        <Messages {...messages} />
        <form method="post" action={SIGN_IN_PATH}>
          <input type="hidden" name="etapa" value="codigo" />
          <input type="hidden" name="csrf" value={csrf} />
          <div class="field">
            <label for="codigo">Código de 6 dígitos</label>
            <span class="hint" id="codigo-dica">
              Também vale um código de recuperação.
            </span>
            <input
              class="code"
              type="text"
              id="codigo"
              name="codigo"
              inputmode="numeric"
              autocomplete="one-time-code"
              maxlength={64}
              required
              autofocus
              aria-describedby="codigo-dica"
            />
          </div>
          <button type="submit">Entrar</button>
        </form>
      </div>
    ),
  };
}

function twoFactorRequiredPage(): ConsolePage {
  return {
    title: "Verificação em duas etapas necessária",
    body: (
      <div class="card narrow">
        <h1>Ative a verificação em duas etapas</h1>
        <p>
          O console exige a verificação em duas etapas com um aplicativo autenticador. Sua conta ainda não a
          tem ativa.
        </p>
        <ol>
          <li>
            Abra <a href={ACTIVATION_PAGE_PATH}>a página de ativação</a> e entre com sua conta.
          </li>
          <li>Leia o código QR com o aplicativo e confirme um código.</li>
          <li>Guarde os códigos de recuperação e volte para entrar aqui.</li>
        </ol>
        <p>
          <a href={SIGN_IN_PATH}>Voltar para entrar</a>
        </p>
      </div>
    ),
  };
}
