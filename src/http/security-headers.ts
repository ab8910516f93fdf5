import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./hono-env";

/**
 * The policy of an HTML page that declares none of its own: its own scripts, styles and images
 * only, no plugins, no inline script, never framed, forms and `<base>` kept to this origin.
 */
export const DEFAULT_HTML_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * Security headers (OWASP HTTP Headers cheat sheet). Every response gets
 * `X-Content-Type-Options: nosniff`; every HTML response (`/docs`, the pages features add) also
 * gets `Referrer-Policy: no-referrer` (a page's URL can carry a token), `X-Frame-Options: DENY` and
 * a Content-Security-Policy. A page that sets its own CSP or referrer policy keeps it: it knows
 * what it loads and posts (see `/docs`, `/tokens/ativar-2fa/`); the defaults apply to the others.
 *
 * @example app.use("*", securityHeaders());
 */
export function securityHeaders() {
  return createMiddleware<AppEnv>(async (c, next) => {
    await next();
    const headers = c.res.headers;
    headers.set("x-content-type-options", "nosniff");
    if (!/^text\/html\b/i.test(headers.get("content-type") ?? "")) return;
    // A page that chose its own referrer policy keeps it: `no-referrer` makes browsers send
    // `Origin: null` on the page's own form posts (src/features/web/page-headers.ts).
    if (!headers.has("referrer-policy")) headers.set("referrer-policy", "no-referrer");
    headers.set("x-frame-options", "DENY");
    if (!headers.has("content-security-policy")) headers.set("content-security-policy", DEFAULT_HTML_CSP);
  });
}
