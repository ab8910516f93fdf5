import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../../../http/hono-env";
import type { App } from "../../../http/openapi";
import { AppError } from "../../../platform/errors";
import { passwordSizeProblem } from "../../accounts/password-policy";
import { rateLimit } from "../../rate-limit/middleware";
import { readForm } from "../../web/form-body";
import { Layout } from "../../web/layout";
import {
  clearSessionCookie,
  formNonce,
  sentFormNonce,
  sessionCookie,
  setSessionCookie,
} from "../../web/page-cookies";
import { crossSitePost, pageHeaders } from "../../web/page-headers";
import { checkPagePassword } from "../../web/page-password";
import type { PageSession } from "../../web/page-sessions";
import { maskEmail } from "../emailed-codes";
import { NOTICES, pageMessage } from "./messages";
import {
  ACTIONS,
  ACTIVATION_PAGE_PATH,
  type Action,
  enabledScreen,
  type FormTokens,
  recoveryCodesScreen,
  refusedScreen,
  type Screen,
  scanScreen,
  secondFactorScreen,
  signInScreen,
  startScreen,
} from "./views";

type PageContext = Context<AppEnv>;

/** The browser's page session, resumed from its cookie. */
interface Visit {
  c: PageContext;
  token?: string;
  session?: PageSession;
}

interface Messages {
  error?: string;
  notice?: string;
  identifier?: string;
}

const MAX_CODE = 64;

/**
 * `/tokens/ativar-2fa/` (seed 001 sends users here): a server-rendered page where a user signs in
 * (username or e-mail, password, and the second factor when it is already on), scans a QR code,
 * confirms a code and sees the recovery codes once; with two-factor on, it replaces the recovery
 * codes or turns it off. Every form posts to the same path with its `acao` and a CSRF token bound
 * to the browser's cookie and to that form. No script, Portuguese text, strict CSP
 * (`web/page-headers.ts`), cookie session (`web/page-cookies.ts`).
 */
export function registerActivationPage(app: App): void {
  app.use(ACTIVATION_PAGE_PATH, pageHeaders());
  app.get(ACTIVATION_PAGE_PATH, async (c) => {
    const visit = await resume(c);
    const notice = NOTICES[c.req.query("aviso") ?? ""];
    return render(c, await currentScreen(visit, { notice }));
  });
  app.post(ACTIVATION_PAGE_PATH, rateLimit("login_ip"), async (c) => handlePost(c));
}

async function resume(c: PageContext): Promise<Visit> {
  const token = sessionCookie(c);
  const session = await c.get("services").web.sessions.resume(token);
  return session ? { c, token, session } : { c };
}

function render(
  c: PageContext,
  screen: Screen,
  status: ContentfulStatusCode = 200,
): Response | Promise<Response> {
  const appName = c.get("services").config.app.name;
  return c.html(
    <Layout title={screen.title} appName={appName}>
      {screen.body}
    </Layout>,
    status,
  );
}

function redirect(c: PageContext, notice?: keyof typeof NOTICES): Response {
  return c.redirect(notice ? `${ACTIVATION_PAGE_PATH}?aviso=${notice}` : ACTIVATION_PAGE_PATH, 303);
}

/** CSRF tokens of `actions`, bound to what the browser's cookie holds. */
async function tokensFor(c: PageContext, binding: string, actions: readonly Action[]): Promise<FormTokens> {
  const csrf = await c.get("services").web.csrf();
  const entries = await Promise.all(
    actions.map(async (action) => [action, await csrf.issue(binding, action)]),
  );
  return Object.fromEntries(entries) as FormTokens;
}

/** What the page shows for where the visitor stands. */
async function currentScreen(visit: Visit, messages: Messages): Promise<Screen> {
  const { c, session, token } = visit;
  const { web, twoFactor } = c.get("services");
  if (!session || !token) {
    return signInScreen(await tokensFor(c, formNonce(c, web.random), ["entrar"]), messages);
  }
  if (session.stage === "second_factor") {
    const status = await twoFactor.enrolment.status(session.user.id);
    const sentTo = status.method === "email" ? maskEmail(session.user.email) : undefined;
    return secondFactorScreen(await tokensFor(c, token, ["segundo-fator", "sair"]), { ...messages, sentTo });
  }
  const status = await twoFactor.enrolment.status(session.user.id);
  if (status.enabled) {
    return enabledScreen(await tokensFor(c, token, ["novos-codigos", "desativar", "sair"]), status, messages);
  }
  const pending = await twoFactor.enrolment.pendingSetup(session.user);
  if (pending)
    return scanScreen(await tokensFor(c, token, ["ativar", "configurar", "sair"]), pending, messages);
  return startScreen(await tokensFor(c, token, ["configurar", "sair"]), session.user.name, messages);
}

async function handlePost(c: PageContext): Promise<Response> {
  const { web, config } = c.get("services");
  const visit = await resume(c);
  if (crossSitePost(c)) {
    await web.sessions.refusedForm("unknown", "cross_site", visit.session);
    return render(c, refusedScreen(), 403);
  }
  const form = await readForm(c, config.maxBodyBytes);
  const action = ACTIONS.find((name) => name === form.acao);
  if (!action) {
    await web.sessions.refusedForm("unknown", "unknown_form", visit.session);
    return render(c, refusedScreen(), 403);
  }
  // A form of a session that has ended: nothing to protect, just start over.
  if (action !== "entrar" && !visit.session) return redirect(c, "expirada");
  const binding = action === "entrar" ? sentFormNonce(c) : visit.token;
  if (!(await (await web.csrf()).verify(binding, action, form.csrf))) {
    await web.sessions.refusedForm(action, "csrf", visit.session);
    return render(c, refusedScreen(), 403);
  }
  try {
    return await ACTION_HANDLERS[action](visit, form);
  } catch (error) {
    const message = error instanceof AppError ? pageMessage(error, action) : undefined;
    if (!(error instanceof AppError) || message === undefined) throw error;
    for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
    const identifier = action === "entrar" ? form.identificador : undefined;
    const screen = await currentScreen(action === "entrar" ? { c } : visit, { error: message, identifier });
    return render(c, screen, error.status as ContentfulStatusCode);
  }
}

type ActionHandler = (visit: Visit, form: Record<string, string>) => Promise<Response>;

/** A field that must be there: trimmed, non-empty, at most `max` characters; else a 400 message. */
function field(form: Record<string, string>, name: string, max: number): string {
  const value = (form[name] ?? "").trim();
  if (!value || value.length > max) {
    throw new AppError("VALIDATION_FAILED", `${name} is missing or too long`, {
      errors: [{ field: `form.${name}`, message: "is required" }],
    });
  }
  return value;
}

function password(form: Record<string, string>): string {
  const value = form.senha ?? "";
  if (!value || passwordSizeProblem(value)) {
    throw new AppError("VALIDATION_FAILED", "senha is missing or too long", {
      errors: [{ field: "form.senha", message: "is required" }],
    });
  }
  return value;
}

function signedIn(visit: Visit): visit is Visit & { session: PageSession; token: string } {
  return visit.session?.stage === "signed_in" && visit.token !== undefined;
}

const ACTION_HANDLERS: Record<Action, ActionHandler> = {
  async entrar({ c }, form) {
    const services = c.get("services");
    const identifier = field(form, "identificador", 254);
    const secret = password(form);
    // The same per-identifier budgets as POST /auth/login: the page is no way around them.
    const user = await checkPagePassword(c, identifier, secret);
    let stage: "signed_in" | "second_factor" = "signed_in";
    try {
      await services.accounts.login.checkSecondFactor(user, undefined);
    } catch (error) {
      if (!(error instanceof AppError && error.code === "TWO_FACTOR_REQUIRED")) throw error;
      stage = "second_factor";
    }
    const { token } = await services.web.sessions.start(user, stage);
    setSessionCookie(c, token, services.web.sessions.lifetimeSeconds(stage));
    return redirect(c);
  },

  async "segundo-fator"(visit, form) {
    const { c, session } = visit;
    if (session?.stage !== "second_factor") return redirect(c);
    const services = c.get("services");
    await services.accounts.login.checkSecondFactor(session.user, field(form, "codigo", MAX_CODE));
    const token = await services.web.sessions.completeSecondFactor(session);
    if (!token) return redirect(c, "expirada");
    setSessionCookie(c, token, services.web.sessions.lifetimeSeconds("signed_in"));
    return redirect(c);
  },

  async configurar(visit) {
    if (!signedIn(visit)) return redirect(visit.c);
    await visit.c.get("services").twoFactor.enrolment.setup(visit.session.user);
    return redirect(visit.c);
  },

  async ativar(visit, form) {
    if (!signedIn(visit)) return redirect(visit.c);
    const { enrolment } = visit.c.get("services").twoFactor;
    const codes = await enrolment.enable(visit.session.user, {
      code: field(form, "codigo", MAX_CODE),
      method: "totp",
    });
    return render(visit.c, recoveryCodesScreen(codes, "Verificação em duas etapas ativada"));
  },

  async "novos-codigos"(visit, form) {
    if (!signedIn(visit)) return redirect(visit.c);
    const { enrolment } = visit.c.get("services").twoFactor;
    const codes = await enrolment.regenerateRecoveryCodes(
      visit.session.user,
      field(form, "codigo", MAX_CODE),
    );
    return render(visit.c, recoveryCodesScreen(codes, "Novos códigos de recuperação"));
  },

  async desativar(visit, form) {
    if (!signedIn(visit)) return redirect(visit.c);
    const { enrolment } = visit.c.get("services").twoFactor;
    await enrolment.disable(visit.session.user, {
      password: password(form),
      code: field(form, "codigo", MAX_CODE),
    });
    return redirect(visit.c, "desativada");
  },

  async sair(visit) {
    await visit.c.get("services").web.sessions.end(visit.token, visit.session);
    clearSessionCookie(visit.c);
    return redirect(visit.c, "saiu");
  },
};
