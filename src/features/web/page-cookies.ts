import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { base64UrlEncode } from "../../platform/encoding";
import type { RandomSource } from "../../platform/random";

/** Base names; over HTTPS they carry the `__Host-` prefix (Secure, Path=/, no Domain: host-bound). */
const SESSION = "edge_auth_page";
const NONCE = "edge_auth_form";
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * How this request's cookies are named and flagged. Everything but plain-HTTP loopback (local
 * development) gets `__Host-` names and `Secure`, so the cookie is bound to this exact host and
 * never leaves over HTTP. Browsers refuse `Secure` and `__Host-` cookies from a plain-HTTP page,
 * so `http://localhost` gets the same cookies without both: that is the only exception.
 */
function cookieFlavour(c: Context): { secure: boolean; prefix: string } {
  const url = new URL(c.req.url);
  const plainLoopback = url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname);
  return plainLoopback ? { secure: false, prefix: "" } : { secure: true, prefix: "__Host-" };
}

function options(c: Context, maxAgeSeconds?: number) {
  const { secure } = cookieFlavour(c);
  return {
    path: "/",
    httpOnly: true,
    secure,
    sameSite: "Strict" as const,
    ...(maxAgeSeconds === undefined ? {} : { maxAge: maxAgeSeconds }),
  };
}

/** The page session token the browser sent, if any. */
export function sessionCookie(c: Context): string | undefined {
  return getCookie(c, `${cookieFlavour(c).prefix}${SESSION}`);
}

/** Sets the page session cookie, living as long as the session (`maxAgeSeconds`). */
export function setSessionCookie(c: Context, token: string, maxAgeSeconds: number): void {
  setCookie(c, `${cookieFlavour(c).prefix}${SESSION}`, token, options(c, maxAgeSeconds));
}

/** Clears the page session cookie. */
export function clearSessionCookie(c: Context): void {
  deleteCookie(c, `${cookieFlavour(c).prefix}${SESSION}`, options(c));
}

/**
 * The random nonce that binds the sign-in form's CSRF token to this browser before there is a
 * session; set (for the browser session) when missing.
 */
export function formNonce(c: Context, random: RandomSource): string {
  const name = `${cookieFlavour(c).prefix}${NONCE}`;
  const existing = getCookie(c, name);
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const nonce = base64UrlEncode(random.bytes(32));
  setCookie(c, name, nonce, options(c));
  return nonce;
}

/** The nonce the browser sent, without setting one. */
export function sentFormNonce(c: Context): string | undefined {
  return getCookie(c, `${cookieFlavour(c).prefix}${NONCE}`);
}
