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

const PAGE_HEADERS: Record<string, string> = {
  "content-security-policy": PAGE_CONTENT_SECURITY_POLICY,
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
 * page's own strict CSP is the one the browser gets.
 *
 * @example app.use("/tokens/ativar-2fa/*", pageHeaders());
 */
export function pageHeaders() {
  return createMiddleware<AppEnv>(async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(PAGE_HEADERS)) c.res.headers.set(name, value);
  });
}
