import type { Child } from "hono/jsx";
import { Notice, PAGE_STYLESHEET_PATH } from "../web/layout";
import { COPY_SCRIPT_PATH } from "./assets-paths";
import { type ConsoleSection, SIGN_OUT_PATH } from "./paths";

/** What `ConsoleLayout` takes. */
export interface ConsoleLayoutProps {
  title: string;
  appName: string;
  /** Signed in: who, the sections they may open, the current one and the sign-out form's token. */
  nav?: { userName: string; role: string; sections: ConsoleSection[]; current?: string; signOutCsrf: string };
  children: Child;
}

/**
 * The frame of every console page: Portuguese, the Worker's stylesheet and its one small script (the
 * copy button, deferred; every page works without it), a skip link, a header with the product name
 * and the signed-in user, the menu of the sections this user may open, and the main landmark.
 */
export function ConsoleLayout({ title, appName, nav, children }: ConsoleLayoutProps) {
  return (
    <html lang="pt-BR">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{`${title} · Console · ${appName}`}</title>
        <link rel="stylesheet" href={PAGE_STYLESHEET_PATH} />
        <script src={COPY_SCRIPT_PATH} defer />
      </head>
      <body class="console">
        <a class="skip-link" href="#conteudo">
          Pular para o conteúdo
        </a>
        <header class="site">
          <p>{appName} · Console</p>
          {nav ? (
            <div class="who">
              <span>
                {nav.userName} ({nav.role})
              </span>
              <form method="post" action={SIGN_OUT_PATH}>
                <input type="hidden" name="csrf" value={nav.signOutCsrf} />
                <button type="submit" class="link">
                  Sair
                </button>
              </form>
            </div>
          ) : null}
        </header>
        {nav ? (
          <nav class="console-nav" aria-label="Seções do console">
            <ul>
              {nav.sections.map((section) => (
                <li>
                  <a href={section.path} aria-current={section.path === nav.current ? "page" : undefined}>
                    {section.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        ) : null}
        <main id="conteudo">{children}</main>
        <footer class="site">Console de administração · {appName}</footer>
      </body>
    </html>
  );
}

/** The messages above a page's content: an error (announced at once) and a confirmation. */
export function Messages({ error, notice }: { error?: string; notice?: string }) {
  return (
    <>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {notice ? <Notice kind="success">{notice}</Notice> : null}
    </>
  );
}

/** A form posting to `action` with its CSRF token. */
export function CsrfForm({
  action,
  csrf,
  children,
  class: className,
}: {
  action: string;
  csrf: string;
  children: Child;
  class?: string;
}) {
  return (
    <form method="post" action={action} class={className}>
      <input type="hidden" name="csrf" value={csrf} />
      {children}
    </form>
  );
}

/** "Próxima página" when there is one: the current filters plus the cursor. */
export function NextPage({
  path,
  query,
  cursor,
}: {
  path: string;
  query: Record<string, string | undefined>;
  cursor: string | null;
}) {
  if (!cursor) return null;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value) params.set(name, value);
  params.set("cursor", cursor);
  return (
    <p class="pager">
      <a href={`${path}?${params.toString()}`}>Próxima página</a>
    </p>
  );
}

/** A date and time as people in Brazil read it, in UTC (said so: the server knows no time zone). */
export function when(date: Date | string | null | undefined): string {
  if (!date) return "—";
  const at = typeof date === "string" ? new Date(date) : date;
  return `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/**
 * A table's horizontal scroller: a named region that takes keyboard focus, so someone without a
 * mouse can scroll a table wider than the screen (WCAG 2.1.1; axe's scrollable-region-focusable).
 */
export function TableWrap({ label, children }: { label: string; children: Child }) {
  return (
    <section class="table-wrap" aria-label={label} tabindex={0}>
      {children}
    </section>
  );
}
