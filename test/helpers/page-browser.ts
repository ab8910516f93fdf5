import { expect } from "vitest";
import type { Send } from "./accounts";

export const PAGE = "/tokens/ativar-2fa/";

/** One parsed `Set-Cookie`: name, value and its attributes (lower-cased names). */
export interface SetCookie {
  name: string;
  value: string;
  attributes: Record<string, string | true>;
}

export function setCookies(response: Response): SetCookie[] {
  return response.headers.getSetCookie().map((line) => {
    const [pair, ...parts] = line.split(";").map((part) => part.trim());
    const at = pair!.indexOf("=");
    const attributes: Record<string, string | true> = {};
    for (const part of parts) {
      const eq = part.indexOf("=");
      if (eq === -1) attributes[part.toLowerCase()] = true;
      else attributes[part.slice(0, eq).toLowerCase()] = part.slice(eq + 1);
    }
    return { name: pair!.slice(0, at), value: decodeURIComponent(pair!.slice(at + 1)), attributes };
  });
}

/** The CSRF token of the form whose `acao` is `action` in `html`, or undefined. */
export function csrfOf(html: string, action: string): string | undefined {
  const form = new RegExp(
    `name="acao" value="${action}"/?>\\s*<input type="hidden" name="csrf" value="([^"]*)"`,
  );
  return form.exec(html)?.[1];
}

/**
 * What every no-JavaScript test browser shares: a cookie jar (Max-Age=0 deletes), requests that
 * carry it and keep the answer's cookie changes, and the last answer's HTML.
 */
export class FormBrowser {
  readonly cookies = new Map<string, string>();
  html = "";

  constructor(protected readonly send: Send) {}

  /** Sends with the jar's cookies; keeps the answer's cookies and its body as `html`. */
  protected async request(path: string, init: RequestInit = {}): Promise<Response> {
    const cookie: Record<string, string> =
      this.cookies.size === 0
        ? {}
        : { cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ") };
    const response = await this.send(path, {
      ...init,
      headers: { ...cookie, ...(init.headers as Record<string, string> | undefined) },
    });
    for (const set of setCookies(response)) {
      if (set.attributes["max-age"] === "0") this.cookies.delete(set.name);
      else this.cookies.set(set.name, encodeURIComponent(set.value));
    }
    this.html = await response.clone().text();
    return response;
  }

  /** Posts `fields` as a form to `path`, never following a redirect. */
  protected postForm(path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
    return this.request(path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(fields).toString(),
      redirect: "manual",
    });
  }
}

/**
 * A browser without JavaScript, enough for the page: GETs and form posts, and the last page's
 * HTML. Requests carry no Origin unless told (as same-origin navigations from old browsers).
 */
export class PageBrowser extends FormBrowser {
  async get(path = PAGE): Promise<Response> {
    return this.request(path);
  }

  /** Posts `fields` (plus `acao` and, unless given, the current page's CSRF token of that form). */
  async post(action: string, fields: Record<string, string> = {}, headers: Record<string, string> = {}) {
    return this.postForm(PAGE, { acao: action, csrf: csrfOf(this.html, action) ?? "", ...fields }, headers);
  }

  /** Posts, expects a 303 back to the page, and follows it. */
  async submit(action: string, fields: Record<string, string> = {}): Promise<Response> {
    const response = await this.post(action, fields);
    expect(response.status, this.html.slice(0, 300)).toBe(303);
    const location = response.headers.get("location")!;
    expect(location.startsWith(PAGE)).toBe(true);
    return this.get(location);
  }
}
