import type { Logger } from "../platform/logger";
import type { TraceContext } from "../platform/trace";
import type { Services } from "../services";

/** The Hono environment of every route: bindings plus what the platform middleware sets. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    trace: TraceContext;
    logger: Logger;
    services: Services;
  };
}
