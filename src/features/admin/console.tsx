import type { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { fieldErrors } from "../../http/error-handler";
import type { AppEnv } from "../../http/hono-env";
import type { App } from "../../http/openapi";
import { DAY_MS } from "../../platform/clock";
import { AppError } from "../../platform/errors";
import type { Permission } from "../authorization/permissions";
import { type Principal, roleAtLeast, SCOPES } from "../authorization/principal";
import { refusalOf } from "../authorization/rules";
import type { User } from "../users/user";
import { readForm } from "../web/form-body";
import { sessionCookie } from "../web/page-cookies";
import { crossSitePost } from "../web/page-headers";
import type { PageSession } from "../web/page-sessions";
import { ConsoleLayout } from "./layout";
import { consoleMessage } from "./messages";
import { type ConsoleSection, SECTIONS, SIGN_IN_PATH } from "./paths";

/** A Hono context of the app. */
export type PageContext = Context<AppEnv>;

/** A signed-in console visit: the session, the principal the services see, CSRF tokens. */
export interface ConsoleVisit {
  c: PageContext;
  token: string;
  session: PageSession;
  /** The session's user as the services' callers are: a signed-in user holds every scope. */
  principal: Principal;
  /** The CSRF token of the form `form`, bound to this session. */
  csrf(form: string): Promise<string>;
}

/** A page's content: its title, the menu entry it belongs to and the card's body. */
export interface ConsolePage {
  title: string;
  section?: string;
  body: Child;
}

/** The form name of the sign-out form's CSRF token. */
export const SIGN_OUT_FORM = "admin:sair";

/**
 * The signed-in visit behind the request's cookie, or why there is none: no live session, the
 * second factor still due, or two-factor not on for this user (the console requires it, checked on
 * every request since the session is shared with `/tokens/ativar-2fa/`, where it may have begun
 * before two-factor was on).
 */
export async function resumeConsole(c: PageContext): Promise<ConsoleVisit | "signed_out" | "no_two_factor"> {
  const { web, twoFactor } = c.get("services");
  const token = sessionCookie(c);
  const session = await web.sessions.resume(token);
  if (!session || !token || session.stage !== "signed_in") return "signed_out";
  if (!(await twoFactor.enrolment.status(session.user.id)).enabled) return "no_two_factor";
  const principal = principalOf(session.user);
  const csrf = async (form: string) => (await web.csrf()).issue(token, form);
  return { c, token, session, principal, csrf };
}

/** The principal the services see for a console user: a signed-in user holds every scope. */
export function principalOf(user: User): Principal {
  return { kind: "user", userId: user.id, role: user.role, scopes: SCOPES, user };
}

/** The sections `principal` may open (the API's `refusalOf` rule and the section's role), in menu order. */
export function sectionsFor(principal: Principal): ConsoleSection[] {
  return Object.values(SECTIONS).filter(
    (section: ConsoleSection) =>
      refusalOf(principal, section.permission) === undefined &&
      (section.minimumRole === undefined || roleAtLeast(principal.role, section.minimumRole)),
  );
}

/** Renders a console page inside the layout, with the menu of what this visitor may open. */
export async function renderConsole(
  visit: ConsoleVisit,
  page: ConsolePage,
  status: ContentfulStatusCode = 200,
): Promise<Response> {
  const { c, session, principal } = visit;
  const sections = sectionsFor(principal);
  return c.html(
    <ConsoleLayout
      title={page.title}
      appName={c.get("services").config.app.name}
      nav={{
        userName: session.user.name,
        role: session.user.role,
        sections,
        current: page.section,
        signOutCsrf: await visit.csrf(SIGN_OUT_FORM),
      }}
    >
      {page.body}
    </ConsoleLayout>,
    status,
  );
}

/** Renders a page without the menu (sign-in, refusals before there is a visit). */
export function renderBare(c: PageContext, page: ConsolePage, status: ContentfulStatusCode = 200) {
  return c.html(
    <ConsoleLayout title={page.title} appName={c.get("services").config.app.name}>
      {page.body}
    </ConsoleLayout>,
    status,
  );
}

/** The 403 page of someone signed in whose role does not open this page. */
export function forbiddenPage(): ConsolePage {
  return {
    title: "Acesso negado",
    body: (
      <div class="card">
        <h1>Acesso negado</h1>
        <p>Seu papel não dá acesso a esta parte do console. Se precisar dela, peça a um administrador.</p>
      </div>
    ),
  };
}

/** The 403 page of a form that could not be confirmed (no or a wrong CSRF token, another site). */
export function refusedFormPage(): ConsolePage {
  return {
    title: "Formulário recusado",
    body: (
      <div class="card">
        <h1>Não foi possível confirmar este formulário</h1>
        <p class="notice error" role="alert">
          O formulário expirou ou não veio deste console. Nada foi alterado.
        </p>
        <p>
          <a href={SIGN_IN_PATH}>Voltar ao console</a>
        </p>
      </div>
    ),
  };
}

/** What a console GET handler does once the visitor may see the page. */
export type ConsoleView = (
  visit: ConsoleVisit,
  messages: { error?: string; notice?: string },
) => Promise<Response>;

async function admit(c: PageContext, permission: Permission): Promise<ConsoleVisit | Response> {
  const visit = await resumeConsole(c);
  if (visit === "signed_out") return c.redirect(SIGN_IN_PATH, 303);
  if (visit === "no_two_factor") return c.redirect(`${SIGN_IN_PATH}?aviso=2fa`, 303);
  // Someone the console has no section for (a usuario whose session began on
  // /tokens/ativar-2fa/) is refused everywhere, as at sign-in, whatever the page's permission.
  if (refusalOf(visit.principal, permission) !== undefined || sectionsFor(visit.principal).length === 0) {
    return renderConsole(visit, forbiddenPage(), 403);
  }
  return visit;
}

/**
 * A console page: signed-in visitors whose role allows `permission` (the API's own rule) see it;
 * others are sent to sign in, or get the 403 page. Notices after a redirect come as `?aviso=`,
 * looked up in `notices` (nothing from the URL is echoed).
 */
export function consoleGet(
  app: App,
  path: string,
  permission: Permission,
  view: ConsoleView,
  notices: Record<string, string> = {},
): void {
  app.get(path, async (c) => {
    const visit = await admit(c, permission);
    if (visit instanceof Response) return visit;
    return show(visit, view, { notice: notices[c.req.query("aviso") ?? ""] });
  });
}

/**
 * Shows `view`; a thing the visitor may not see (or that does not exist) is the HTML 404 page, and
 * one a service refuses to show them (a tenant where their role is too low) the 403 page, as the
 * API answers.
 */
async function show(
  visit: ConsoleVisit,
  view: ConsoleView,
  messages: { error?: string; notice?: string },
): Promise<Response> {
  try {
    return await view(visit, messages);
  } catch (error) {
    if (!(error instanceof AppError) || (error.status !== 404 && error.status !== 403)) throw error;
    if (error.status === 403) return renderConsole(visit, forbiddenPage(), 403);
    return renderConsole(visit, notFoundPage(), 404);
  }
}

function notFoundPage(): ConsolePage {
  return {
    title: "Não encontrado",
    body: (
      <div class="card">
        <h1>Não encontrado</h1>
        <p>Isto não existe ou está fora do seu alcance.</p>
      </div>
    ),
  };
}

/** What a console form does: its CSRF form name, its permission, the action and the page to show on a refusal. */
export interface ConsoleAction {
  form: string;
  permission: Permission;
  act(visit: ConsoleVisit, fields: Record<string, string>): Promise<Response>;
  /** The page shown again, with the refusal's message, when `act` throws an `AppError`. */
  reshow: ConsoleView;
}

/**
 * A console form post. In order: another site's post is refused (403, audited), the body is read
 * (form-encoded, bounded), the visitor must be signed in with the permission, the CSRF token must be
 * this session's token of this form (403, audited); then the action runs. A refusal by the service
 * (an `AppError` the console has words for) shows the page again with the message and its status.
 */
export function consolePost(app: App, path: string, action: ConsoleAction): void {
  app.post(path, async (c) => {
    const { web, config } = c.get("services");
    if (crossSitePost(c)) {
      await web.sessions.refusedForm(action.form, "cross_site", undefined);
      return renderBare(c, refusedFormPage(), 403);
    }
    const fields = await readForm(c, config.maxBodyBytes);
    const visit = await admit(c, action.permission);
    if (visit instanceof Response) return visit;
    if (!(await (await web.csrf()).verify(visit.token, action.form, fields.csrf))) {
      await web.sessions.refusedForm(action.form, "csrf", visit.session);
      return renderConsole(visit, refusedFormPage(), 403);
    }
    try {
      return await action.act(visit, fields);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const message = consoleMessage(error);
      if (message === undefined) throw error;
      const shown = await show(visit, action.reshow, { error: message });
      if (shown.status === 404 || shown.status === 403) return shown;
      return new Response(shown.body, { status: error.status, headers: shown.headers });
    }
  });
}

/** A field of a form: trimmed, at most `max` characters, or undefined when empty. */
export function optionalField(fields: Record<string, string>, name: string, max = 200): string | undefined {
  const value = (fields[name] ?? "").trim();
  if (!value) return undefined;
  if (value.length > max) throw invalid(name);
  return value;
}

/** A field that must be there. */
export function requiredField(fields: Record<string, string>, name: string, max = 200): string {
  const value = optionalField(fields, name, max);
  if (value === undefined) throw invalid(name);
  return value;
}

/** A 400 naming one form field. */
export function invalid(name: string): AppError {
  return new AppError("VALIDATION_FAILED", `${name} is missing or invalid`, {
    errors: [{ field: `form.${name}`, message: "is missing or invalid" }],
  });
}

/**
 * A form's fields checked by the API route's own request schema, so a page and the API accept the
 * same values; a refusal is the API's 400 with `form.<field>` errors.
 */
export function parseForm<T extends z.ZodType>(schema: T, input: Record<string, unknown>): z.output<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new AppError("VALIDATION_FAILED", "The form is invalid", {
      errors: fieldErrors("form", parsed.error),
    });
  }
  return parsed.data;
}

/** A query parameter, trimmed and bounded, or undefined. */
export function queryParam(c: PageContext, name: string, max = 200): string | undefined {
  const value = c.req.query(name)?.trim();
  return value && value.length <= max ? value : undefined;
}

/**
 * A `YYYY-MM-DD` filter as the start of that UTC day (`nextDay`: of the day after, for an inclusive
 * "until"); undefined for anything else, so a malformed filter is simply not applied.
 */
export function utcDay(text: string | undefined, nextDay = false): Date | undefined {
  if (!text || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const start = Date.parse(`${text}T00:00:00Z`);
  if (Number.isNaN(start)) return undefined;
  return new Date(start + (nextDay ? DAY_MS : 0));
}
