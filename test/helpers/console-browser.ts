import { expect } from "vitest";
import type { Send } from "./accounts";
import { setCookies } from "./page-browser";

/** The CSRF token of the first post form to `action` in `html`, or undefined. */
export function consoleCsrf(html: string, action: string): string | undefined {
  const start = html.indexOf(`<form method="post" action="${action}"`);
  if (start === -1) return undefined;
  return /name="csrf" value="([^"]*)"/.exec(html.slice(start))?.[1];
}

/**
 * A browser without JavaScript for the console: a cookie jar, GETs and form posts (with the
 * page's CSRF token of the form posting to that path unless given), the last page's HTML.
 */
export class ConsoleBrowser {
  readonly cookies = new Map<string, string>();
  html = "";

  constructor(private readonly send: Send) {}

  private cookieHeader(): Record<string, string> {
    if (this.cookies.size === 0) return {};
    return { cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ") };
  }

  private async remember(response: Response): Promise<Response> {
    for (const cookie of setCookies(response)) {
      if (cookie.attributes["max-age"] === "0") this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, encodeURIComponent(cookie.value));
    }
    this.html = await response.clone().text();
    return response;
  }

  async get(path: string): Promise<Response> {
    return this.remember(await this.send(path, { headers: this.cookieHeader(), redirect: "manual" }));
  }

  /** Posts `fields` to `path`, with the current page's token of that form unless `fields` has one. */
  async post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
    const body = new URLSearchParams({ csrf: consoleCsrf(this.html, path) ?? "", ...fields });
    return this.remember(
      await this.send(path, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...this.cookieHeader(), ...headers },
        body: body.toString(),
        redirect: "manual",
      }),
    );
  }

  /** Follows 303s (at most five) from `response`. */
  async follow(response: Response): Promise<Response> {
    let current = response;
    for (let hops = 0; hops < 5 && current.status === 303; hops++) {
      current = await this.get(current.headers.get("location")!);
    }
    return current;
  }

  /** Signs in with password then `code`; expects to land on a console page. */
  async signIn(identifier: string, password: string, code: string): Promise<Response> {
    await this.get("/admin/entrar");
    const first = await this.post("/admin/entrar", {
      etapa: "senha",
      identificador: identifier,
      senha: password,
    });
    expect(first.status, this.html.slice(0, 400)).toBe(303);
    await this.get("/admin/entrar");
    const second = await this.post("/admin/entrar", { etapa: "codigo", codigo: code });
    expect(second.status, this.html.slice(0, 400)).toBe(303);
    return this.follow(second);
  }
}
