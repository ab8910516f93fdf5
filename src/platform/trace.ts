import { hexEncode } from "./encoding";
import type { RandomSource } from "./random";

/** Request and trace identity of one request, also carried by its queue messages and webhooks. */
export interface TraceContext {
  /** The service's own id for this request (`req_…`): what logs, audit rows and problems key on. */
  requestId: string;
  /**
   * The client's `X-Request-Id` when sane: echoed back and logged as the client's, never taken
   * for the service's own, so a client cannot forge correlation with audit rows or logs.
   */
  clientRequestId?: string;
  traceId: string;
  /** W3C traceparent to hand on (our span under the caller's trace). */
  traceparent: string;
}

const SANE_ID = /^[\x21-\x7e]{1,128}$/;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = "0".repeat(32);

/**
 * Reads `X-Request-Id`, `X-Trace-Id` and `traceparent`. The request id is always generated; a
 * client's own one is kept beside it when it is printable ASCII of at most 128 characters. The
 * trace id comes from a valid traceparent, then X-Trace-Id, then is generated.
 */
export function traceContextFrom(headers: Headers, random: RandomSource): TraceContext {
  const sent = headers.get("x-request-id");
  const clientRequestId = sent && SANE_ID.test(sent) ? sent : undefined;
  const requestId = `req_${hexEncode(random.bytes(12))}`;
  const parent = TRACEPARENT.exec(headers.get("traceparent")?.trim().toLowerCase() ?? "");
  const clientTraceId = headers.get("x-trace-id");
  const traceId =
    parent && parent[1] !== ZERO_TRACE
      ? parent[1]!
      : clientTraceId && SANE_ID.test(clientTraceId)
        ? clientTraceId
        : hexEncode(random.bytes(16));
  const w3cTraceId =
    /^[0-9a-f]{32}$/.test(traceId) && traceId !== ZERO_TRACE ? traceId : hexEncode(random.bytes(16));
  const flags = parent?.[3] ?? "01";
  return {
    requestId,
    ...(clientRequestId ? { clientRequestId } : {}),
    traceId,
    traceparent: `00-${w3cTraceId}-${hexEncode(random.bytes(8))}-${flags}`,
  };
}
