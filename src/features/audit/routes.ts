import type { App } from "../../http/openapi";
import { registerListAuditLogs } from "./routes/list";
import { registerVerifyAuditChain } from "./routes/verify";

/** `GET /api/audit-logs/` and `POST /api/audit-logs/verify/`. */
export function registerAuditRoutes(app: App): void {
  registerListAuditLogs(app);
  registerVerifyAuditChain(app);
}
