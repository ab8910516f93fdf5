import { createRoute } from "@hono/zod-openapi";
import { type App, type JsonResponseOf, problemResponses } from "../../../http/openapi";
import { authenticate, authorize } from "../../authorization/middleware";
import { securityFor } from "../../authorization/security";
import { AuditPageSchema, ListAuditLogsQuery } from "../schemas";
import { auditPageView } from "../views";

export const listAuditLogsRoute = createRoute({
  method: "get",
  path: "/api/audit-logs/",
  operationId: "listAuditLogs",
  tags: ["Audit"],
  summary: "Read the audit log",
  description:
    "Root reads every row; an admin the rows of the organisations they belong to (rows without an organisation, such as logins, are root's). Filter by `actor`, `target` (and `target_type`), `action`, `from` and `to`; newest first, paged with `next_cursor`. User agents are shown escaped and capped; no row ever holds a secret. Each row shows its place in the hash chain once sealed (`POST /api/audit-logs/verify/`).",
  security: securityFor("audit:read"),
  middleware: [authenticate(), authorize("audit:read")] as const,
  request: { query: ListAuditLogsQuery },
  responses: {
    200: {
      description: "One page of the audit log",
      content: { "application/json": { schema: AuditPageSchema } },
    },
    ...problemResponses(400, 401, 403, 429),
  },
});

export type ListAuditLogsResponse = JsonResponseOf<typeof listAuditLogsRoute>;

export function registerListAuditLogs(app: App): void {
  app.openapi(listAuditLogsRoute, async (c) => {
    const query = c.req.valid("query");
    const page = await c.get("services").auditLogs.list(
      c.var.principal,
      {
        actorId: query.actor,
        targetId: query.target,
        targetType: query.target_type,
        event: query.action,
        from: query.from === undefined ? undefined : new Date(query.from),
        to: query.to === undefined ? undefined : new Date(query.to),
      },
      { cursor: query.cursor, limit: query.limit },
    );
    return c.json(auditPageView(page), 200);
  });
}
