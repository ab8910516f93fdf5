import { createMiddleware } from "hono/factory";
import { type Config, loadConfig } from "../config";
import { clientInfoFrom } from "../platform/client-info";
import type { PlatformDeps } from "../platform/deps";
import { createLogger, logLevelOf } from "../platform/logger";
import { instrument, Profiler } from "../platform/profiler";
import { traceContextFrom } from "../platform/trace";
import { createServices, createShared } from "../services";
import type { AppEnv } from "./hono-env";

/**
 * First middleware of every request: request/trace ids (echoed on the response), a logger that
 * carries them (the service's request id, and the client's beside it), the per-request services,
 * and one access-log line: at info for errors (4xx, 5xx), slow requests and a `LOG_SAMPLE_RATE`
 * sample of the rest, at debug otherwise. Workers observability already records every invocation;
 * a JSON line per successful request doubled a trivial route's cost under `wrangler dev` and said
 * nothing new.
 *
 * @example app.use("*", requestContext(defaultPlatformDeps));
 */
export function requestContext(deps: PlatformDeps) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const started = Date.now();
    const profiler = profilerFor(c.env);
    const profileStarted = profiler ? performance.now() : 0;
    const trace = traceContextFrom(c.req.raw.headers, deps.random);
    c.set("trace", trace);
    const plainLogger = createLogger(logLevelOf(c.env.LOG_LEVEL), {
      requestId: trace.requestId,
      ...(trace.clientRequestId ? { clientRequestId: trace.clientRequestId } : {}),
      traceId: trace.traceId,
    });
    const logger = profiler ? instrument(plainLogger, profiler, LOG_PARTS) : plainLogger;
    c.set("logger", logger);
    const client = clientInfoFrom(c.req.raw.headers);
    const build = () => createServices(createShared(c.env, deps, logger, { ...trace, client, profiler }));
    const services = profiler ? profiler.measure("setup", build) : build();
    c.set("services", services);
    try {
      await next();
    } finally {
      // The client's own id comes back when it sent one (problem bodies carry the service's).
      c.header("x-request-id", trace.clientRequestId ?? trace.requestId);
      c.header("x-trace-id", trace.traceId);
      // Deferred work (e-mails sent after a 202) keeps the Worker alive until it has finished.
      c.executionCtx.waitUntil(services.background.settled());
      const durationMs = Date.now() - started;
      const fields = { method: c.req.method, route: c.req.routePath, status: c.res.status, durationMs };
      if (accessLogAtInfo(services.config.accessLog, c.res.status, durationMs, deps))
        logger.info("request", fields);
      else logger.debug("request", fields);
      // Last, so the access-log line is in it.
      if (profiler) c.header("server-timing", profiler.serverTiming(performance.now() - profileStarted));
    }
  });
}

const LOG_PARTS = { debug: "log", info: "log", warn: "log", error: "log" } as const;

/**
 * A profiler when `PROFILE=on` (development only: production and staging refuse it at start),
 * else undefined. The clock is `performance.now`, which `wrangler dev` advances during CPU work.
 */
function profilerFor(env: Env): Profiler | undefined {
  if (env.PROFILE !== "on" || !loadConfig(env).profile) return undefined;
  return new Profiler(() => performance.now());
}

/** Whether this request's access-log line is worth an info line (see `requestContext`). */
export function accessLogAtInfo(
  settings: Config["accessLog"],
  status: number,
  durationMs: number,
  deps: PlatformDeps,
): boolean {
  if (status >= 400 || durationMs >= settings.slowRequestMs) return true;
  if (settings.sampleRate <= 0) return false;
  const [high = 0, low = 0] = deps.random.bytes(2);
  return ((high << 8) | low) / 65_536 < settings.sampleRate;
}
