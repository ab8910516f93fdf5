import { expect } from "vitest";
import { FormBrowser } from "./page-browser";

/** The CSRF token of the first post form to `action` in `html`, or undefined. */
export function consoleCsrf(html: string, action: string): string | undefined {
  const start = html.indexOf(`<form method="post" action="${action}"`);
  if (start === -1) return undefined;
  return /name="csrf" value="([^"]*)"/.exec(html.slice(start))?.[1];
}

/**
 * A browser without JavaScript for the console (a `FormBrowser`): GETs and form posts (with the
 * page's CSRF token of the form posting to that path unless given), the last page's HTML.
 */
export class ConsoleBrowser extends FormBrowser {
  async get(path: string): Promise<Response> {
    return this.request(path, { redirect: "manual" });
  }

  /** Posts `fields` to `path`, with the current page's token of that form unless `fields` has one. */
  async post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
    return this.postForm(path, { csrf: consoleCsrf(this.html, path) ?? "", ...fields }, headers);
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
