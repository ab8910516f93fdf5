import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../../http/hono-env";

/**
 * The strict policy of every server-rendered page: nothing loads but the Worker's own stylesheet,
 * no script runs at all (the pages work without JavaScript), forms post only to this origin, and no
 * other site may frame the page (clickjacking). Inline `<svg>` markup (the QR code) needs no source.
 */
export const PAGE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

/**
 * The admin console's policy: the same, plus scripts from the Worker itself (`/assets/*.js`, the copy
 * button). Still no inline script, no `eval`, nothing from another origin.
 */
export const CONSOLE_CONTENT_SECURITY_POLICY = `${PAGE_CONTENT_SECURITY_POLICY}; script-src 'self'`;

const PAGE_HEADERS: Record<string, string> = {
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  // Not no-referrer: with it, browsers send `Origin: null` on the page's own form posts, and the
  // same-origin check could not tell them from a sandboxed frame's. The pages' URLs hold no secret.
  "referrer-policy": "same-origin",
  "cross-origin-opener-policy": "same-origin",
  "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
  // Pages show secrets (a TOTP secret, recovery codes): never kept by a cache or the back button.
  "cache-control": "no-store",
};

/**
 * Sets the pages' security headers on the way out, replacing whatever an inner handler set, so the
 * page's own strict CSP is the one the browser gets (`PAGE_CONTENT_SECURITY_POLICY` unless told).
 *
 * @example app.use("/tokens/ativar-2fa/*", pageHeaders());
 */
export function pageHeaders(contentSecurityPolicy: string = PAGE_CONTENT_SECURITY_POLICY) {
  return createMiddleware<AppEnv>(async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(PAGE_HEADERS)) c.res.headers.set(name, value);
    c.res.headers.set("content-security-policy", contentSecurityPolicy);
  });
}

/**
 * True when the browser says a form post comes from another site: an `Origin` other than this one,
 * or `Sec-Fetch-Site: cross-site`. Checked before anything else of a page post.
 */
export function crossSitePost(c: Context): boolean {
  const origin = c.req.header("origin");
  if (origin && origin !== new URL(c.req.url).origin) return true;
  return c.req.header("sec-fetch-site") === "cross-site";
}
