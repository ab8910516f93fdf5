import { createRoute } from "@hono/zod-openapi";
import { type App, type JsonResponseOf, problemResponses } from "../../../http/openapi";
import { AuditPageSchema } from "../../audit/schemas";
import { auditPageView } from "../../audit/views";
import { authenticate, authorize } from "../../authorization/middleware";
import { securityFor } from "../../authorization/security";
import { InviteIdParams, PageQuery } from "../schemas";
import { INVITE_PATH_FAMILIES, type InvitePathFamily } from "./paths";

const define = (family: InvitePathFamily) =>
  createRoute({
    method: "get",
    path: `${family.base}/{id}/logs/`,
    operationId: `listInviteLogs${family.operationSuffix}`,
    tags: ["Invites"],
    summary: "An invite's audit history",
    description: `Every create, validate, use and revoke of the invite (actor, action, result, reason, IP, user agent, time), newest first, paged with \`next_cursor\`. 404 for an invite the caller cannot see.${family.note}`,
    security: securityFor("invites:read"),
    middleware: [authenticate(), authorize("invites:read")] as const,
    request: { params: InviteIdParams, query: PageQuery },
    responses: {
      200: {
        description: "One page of history",
        content: { "application/json": { schema: AuditPageSchema } },
      },
      ...problemResponses(400, 401, 403, 404, 429),
    },
  });

const routes = INVITE_PATH_FAMILIES.map(define);

export type InviteLogsResponse = JsonResponseOf<ReturnType<typeof define>>;

export function registerInviteLogs(app: App): void {
  for (const route of routes) {
    app.openapi(route, async (c) => {
      const { id } = c.req.valid("param");
      const page = await c.get("services").invites.queries.history(c.var.principal, id, c.req.valid("query"));
      return c.json(auditPageView(page), 200);
    });
  }
}
