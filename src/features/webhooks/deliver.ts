import type { Clock } from "../../platform/clock";

/** The `user-agent` of every webhook request, so receivers can tell them apart in their logs. */
export const WEBHOOK_USER_AGENT = "edge-auth-webhooks/1";

/** How long one attempt may wait for the receiver's answer by default. */
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;

/** The subset of `fetch` delivery uses; the Worker's global `fetch` fits, tests pass a fake receiver. */
export type WebhookFetch = (url: string, init: RequestInit) => Promise<Response>;

/** One attempt to send: where, the exact body, and the identifying and signature headers. */
export interface WebhookRequest {
  url: URL;
  body: string;
  headers: Readonly<Record<string, string>>;
}

/**
 * How one attempt went. `ok` only for a 2xx answer; `status` when the receiver answered at all;
 * `error` (for every failure) holds no body, no header and no part of the URL, so it can be logged
 * and stored as is.
 */
export interface WebhookAttemptResult {
  ok: boolean;
  status?: number;
  error?: string;
  latencyMs: number;
}

/** What `deliverWebhook` sends with: the injected `fetch`, the clock that times it, the bound. */
export interface DeliverWebhookOptions {
  fetch: WebhookFetch;
  clock: Clock;
  /** Bound on the wait for the answer's headers; `DEFAULT_WEBHOOK_TIMEOUT_MS` when absent. */
  timeoutMs?: number;
}

const MAX_ERROR_LENGTH = 200;

/** A network error's name and message, with the URL (which may carry a receiver's token) removed. */
function describeNetworkError(error: unknown, url: URL): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const hidden = [url.href, `${url.origin}${url.pathname}`, url.search]
    .filter((part) => part.length > 1)
    .reduce((result, part) => result.split(part).join("[url]"), text);
  return `network error: ${hidden}`.slice(0, MAX_ERROR_LENGTH);
}

/**
 * POSTs one webhook: the raw body with `content-type: application/json`, the user agent and the
 * given headers. Redirects are never followed (`redirect: "manual"`): a 3xx is a failed attempt,
 * since following one would let the receiver point the signed payload, code included, at another
 * host the URL check never saw. The answer's body is never read. The wait is bounded with
 * `AbortSignal.timeout`. Never throws: every outcome is a result.
 *
 * @example
 * const result = await deliverWebhook({ url, body, headers }, { fetch, clock, timeoutMs: 10_000 });
 * if (!result.ok) logger.warn("webhook not delivered", { status: result.status, error: result.error });
 */
export async function deliverWebhook(
  request: WebhookRequest,
  options: DeliverWebhookOptions,
): Promise<WebhookAttemptResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);
  const started = options.clock.now().getTime();
  const latency = () => Math.max(0, options.clock.now().getTime() - started);
  let response: Response;
  try {
    response = await options.fetch(request.url.href, {
      method: "POST",
      headers: { ...request.headers, "content-type": "application/json", "user-agent": WEBHOOK_USER_AGENT },
      body: request.body,
      redirect: "manual",
      signal,
    });
  } catch (error) {
    const latencyMs = latency();
    if (signal.aborted) return { ok: false, error: `timeout after ${timeoutMs} ms`, latencyMs };
    return { ok: false, error: describeNetworkError(error, request.url), latencyMs };
  }
  const latencyMs = latency();
  // The answer's body is of no use and may be large: release the connection without reading it.
  await response.body?.cancel().catch(() => undefined);
  const { status } = response;
  if (status >= 200 && status < 300) return { ok: true, status, latencyMs };
  if (status >= 300 && status < 400)
    return { ok: false, status, error: `redirect ${status} not followed`, latencyMs };
  return { ok: false, status, error: `http ${status}`, latencyMs };
}
