import { createMiddleware } from "hono/factory";
import { clientInfoFrom } from "../platform/client-info";
import type { PlatformDeps } from "../platform/deps";
import { createLogger, logLevelOf } from "../platform/logger";
import { traceContextFrom } from "../platform/trace";
import { createServices, createShared } from "../services";
import type { AppEnv } from "./hono-env";

/**
 * First middleware of every request: request/trace ids (echoed on the response), a logger that
 * carries them (the service's request id, and the client's beside it), the per-request services,
 * and one access-log line.
 *
 * @example app.use("*", requestContext(defaultPlatformDeps));
 */
export function requestContext(deps: PlatformDeps) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const started = Date.now();
    const trace = traceContextFrom(c.req.raw.headers, deps.random);
    c.set("trace", trace);
    const logger = createLogger(logLevelOf(c.env.LOG_LEVEL), {
      requestId: trace.requestId,
      ...(trace.clientRequestId ? { clientRequestId: trace.clientRequestId } : {}),
      traceId: trace.traceId,
    });
    c.set("logger", logger);
    const client = clientInfoFrom(c.req.raw.headers);
    const services = createServices(createShared(c.env, deps, logger, { ...trace, client }));
    c.set("services", services);
    try {
      await next();
    } finally {
      // The client's own id comes back when it sent one (problem bodies carry the service's).
      c.header("x-request-id", trace.clientRequestId ?? trace.requestId);
      c.header("x-trace-id", trace.traceId);
      // Deferred work (e-mails sent after a 202) keeps the Worker alive until it has finished.
      c.executionCtx.waitUntil(services.background.settled());
      logger.info("request", {
        method: c.req.method,
        route: c.req.routePath,
        status: c.res.status,
        durationMs: Date.now() - started,
      });
    }
  });
}
