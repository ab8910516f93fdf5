/** Where a request came from, as audit rows and session records keep it. */
export interface ClientInfo {
  /** `CF-Connecting-IP` (set by Cloudflare's edge, not by the client), when present. */
  ip: string | null;
  userAgent: string | null;
}

const MAX_IP = 64;
const MAX_USER_AGENT = 512;

/** Reads the client's IP and user agent from request headers, bounded in length. */
export function clientInfoFrom(headers: Headers): ClientInfo {
  return {
    ip: headers.get("cf-connecting-ip")?.trim().slice(0, MAX_IP) || null,
    userAgent: headers.get("user-agent")?.slice(0, MAX_USER_AGENT) || null,
  };
}

/** For work no client started (cron, bootstrap). */
export const NO_CLIENT: ClientInfo = { ip: null, userAgent: null };
