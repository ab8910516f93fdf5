import type { Config } from "../../config";
import { isPublicAddress, parseIpAddress } from "../../platform/ip-address";

/** What `checkWebhookUrl` decided: the URL to deliver to, or why it is refused (safe to log). */
export type WebhookUrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

/**
 * Name suffixes reserved for local or private use (RFC 6761 `localhost`, RFC 6762 `local`, ICANN's
 * `internal`, RFC 8375 `home.arpa`, and the `localdomain` of many /etc/hosts files): no public
 * DNS answers for them, so in production they can only mean a host that must not be reached.
 */
const PRIVATE_NAME_SUFFIXES = ["localhost", "localdomain", "local", "internal", "home.arpa"];

/** Environments where the receiver is a developer's own machine: http and local hosts allowed. */
const LOCAL_ENVIRONMENTS: ReadonlySet<Config["environment"]> = new Set(["development", "test"]);

function refuseHost(hostname: string): string | undefined {
  if (hostname.startsWith("[")) {
    const ip = parseIpAddress(hostname.slice(1, -1));
    if (!ip) return "the IPv6 address is not valid";
    return isPublicAddress(ip)
      ? undefined
      : "the host is a private, loopback or otherwise non-public address";
  }
  // The URL parser has already turned every IPv4 spelling (0x7f.1, 2130706433) into dotted decimal.
  const ipv4 = parseIpAddress(hostname);
  if (ipv4)
    return isPublicAddress(ipv4)
      ? undefined
      : "the host is a private, loopback or otherwise non-public address";
  const name = hostname.replace(/\.+$/, "");
  if (PRIVATE_NAME_SUFFIXES.some((suffix) => name === suffix || name.endsWith(`.${suffix}`))) {
    return "the host is a local or internal name";
  }
  if (!name.includes(".")) return "the host is a single-label name, which only resolves on a private network";
  return undefined;
}

/**
 * Checks the configured webhook URL (`TOKENS_WEBHOOK_URL`) before anything is sent to it:
 * - an absolute `https:` URL; `http:` only in development and test;
 * - no user name or password in it (they would travel in every request and sit in logs);
 * - in production and staging, not an IP literal outside `isPublicAddress` (loopback, private,
 *   link-local such as the 169.254.169.254 metadata service, their IPv4-mapped forms…), not
 *   `localhost` or `*.localhost`, not a name under `.internal`, `.local`, `.localdomain` or
 *   `.home.arpa`, and not a single-label name.
 *
 * DNS names are not resolved here: the Worker's `fetch` resolves and connects from Cloudflare's
 * network, which does not route to the operator's private or loopback addresses, so a public name
 * pointing at 10.0.0.1 or 127.0.0.1 fails instead of reaching an internal host (and DNS rebinding
 * gains nothing, since no earlier lookup is trusted). What remains of the SSRF risk: a public
 * host that trusts requests for coming from Cloudflare's address ranges (an origin firewalled to
 * "Cloudflare only", or another zone's Worker) can be reached; private networks joined to the
 * account through Tunnel or VPC bindings are reached only through those bindings, never by URL.
 * The URL comes from configuration, not from users, so this guards against a mistaken or tampered
 * setting rather than a hostile request.
 *
 * @example
 * const check = checkWebhookUrl(env.TOKENS_WEBHOOK_URL, config.environment);
 * if (!check.ok) throw new Error(`TOKENS_WEBHOOK_URL: ${check.reason}`);
 */
export function checkWebhookUrl(text: string, environment: Config["environment"]): WebhookUrlCheck {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: "not an absolute URL" };
  }
  const local = LOCAL_ENVIRONMENTS.has(environment);
  if (url.protocol !== "https:" && !(local && url.protocol === "http:")) {
    return { ok: false, reason: local ? "the URL must be http or https" : "the URL must be https" };
  }
  if (url.username !== "" || url.password !== "") {
    return { ok: false, reason: "the URL must not carry a user name or password" };
  }
  if (!local) {
    const refused = refuseHost(url.hostname);
    if (refused) return { ok: false, reason: refused };
  }
  return { ok: true, url };
}

/**
 * How the delivery log names a receiver: its origin, and `/…` when it has a path. Many receivers
 * put their credential in the URL, in the query (kept out since the start) or in the path itself
 * (Slack's `/services/T…/B…/<secret>`, Discord's `/api/webhooks/<id>/<token>`, webhook.site's
 * `/<uuid>`), and the log is read by admins and stored for as long as deliveries are kept. The
 * configured `TOKENS_WEBHOOK_URL` is the place to see the whole URL.
 */
export function receiverLabel(url: URL): string {
  return url.pathname === "/" ? url.origin : `${url.origin}/…`;
}
