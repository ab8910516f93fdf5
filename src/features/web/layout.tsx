import type { Child } from "hono/jsx";

/** Where the pages' stylesheet is served (`registerWebAssets`). */
export const PAGE_STYLESHEET_PATH = "/assets/page.css";

/** What `Layout` takes. */
export interface LayoutProps {
  /** The page's title, also its `<title>` (after the product name). */
  title: string;
  /** The product name (`APP_NAME`), shown in the header. */
  appName: string;
  children: Child;
}

/**
 * The frame of every server-rendered page: Portuguese, one stylesheet from the Worker, no script,
 * a skip link to the content, a header with the product name, and a main landmark holding the card.
 */
export function Layout({ title, appName, children }: LayoutProps) {
  return (
    <html lang="pt-BR">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{`${title} · ${appName}`}</title>
        <link rel="stylesheet" href={PAGE_STYLESHEET_PATH} />
      </head>
      <body>
        <a class="skip-link" href="#conteudo">
          Pular para o conteúdo
        </a>
        <header class="site">
          <p>{appName}</p>
        </header>
        <main id="conteudo">
          <div class="card">{children}</div>
        </main>
        <footer class="site">Verificação em duas etapas · {appName}</footer>
      </body>
    </html>
  );
}

/** A message above a form: an error (announced to screen readers at once) or a confirmation. */
export function Notice({ kind, children }: { kind: "error" | "success"; children: Child }) {
  return kind === "error" ? (
    <div class="notice error" role="alert">
      {children}
    </div>
  ) : (
    <div class="notice success" role="status">
      {children}
    </div>
  );
}
