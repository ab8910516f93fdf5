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
 * A browser without JavaScript, enough for the page: a cookie jar (Max-Age=0 deletes), GETs and
 * form posts, and the last page's HTML. Requests carry no Origin unless told (as same-origin
 * navigations from old browsers).
 */
export class PageBrowser {
  readonly cookies = new Map<string, string>();
  html = "";

  constructor(private readonly send: Send) {}

  private cookieHeader(): Record<string, string> {
    if (this.cookies.size === 0) return {};
    return { cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ") };
  }

  private remember(response: Response): void {
    for (const cookie of setCookies(response)) {
      if (cookie.attributes["max-age"] === "0") this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, encodeURIComponent(cookie.value));
    }
  }

  async get(path = PAGE): Promise<Response> {
    const response = await this.send(path, { headers: this.cookieHeader() });
    this.remember(response);
    this.html = await response.clone().text();
    return response;
  }

  /** Posts `fields` (plus `acao` and, unless given, the current page's CSRF token of that form). */
  async post(action: string, fields: Record<string, string> = {}, headers: Record<string, string> = {}) {
    const body = new URLSearchParams({ acao: action, csrf: csrfOf(this.html, action) ?? "", ...fields });
    const response = await this.send(PAGE, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...this.cookieHeader(), ...headers },
      body: body.toString(),
      redirect: "manual",
    });
    this.remember(response);
    this.html = await response.clone().text();
    return response;
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
