import type { App } from "../../http/openapi";
import { registerCreateApiToken } from "./routes/create";
import { registerListApiTokens } from "./routes/list";
import { registerReportLeakedApiToken } from "./routes/report-leak";
import { registerRevokeApiToken } from "./routes/revoke";

/** `/api/api-tokens/…` and seed 003's aliases `/api-tokens`. */
export function registerApiTokenRoutes(app: App): void {
  registerReportLeakedApiToken(app);
  registerListApiTokens(app);
  registerCreateApiToken(app);
  registerRevokeApiToken(app);
}
