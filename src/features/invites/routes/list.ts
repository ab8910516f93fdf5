import { createRoute } from "@hono/zod-openapi";
import { type App, type JsonResponseOf, problemResponses } from "../../../http/openapi";
import { authenticate, authorize } from "../../authorization/middleware";
import { securityFor } from "../../authorization/security";
import { InvitePageSchema, ListInvitesQuery } from "../schemas";
import { invitePageView } from "../views";
import { INVITE_PATH_FAMILIES, type InvitePathFamily } from "./paths";

const define = (family: InvitePathFamily) =>
  createRoute({
    method: "get",
    path: `${family.base}/`,
    operationId: `listInvites${family.operationSuffix}`,
    tags: ["Invites"],
    summary: "List the invites the caller may see",
    description: `Root sees every invite; admins and gestores the invites of the organisations they belong to. Newest first; filter by \`estado\` (the state now: an invite past \`data_expiracao\` is \`expirado\`), \`organizacao\` and \`criado_por\`; page with \`next_cursor\`.${family.note}`,
    security: securityFor("invites:read"),
    middleware: [authenticate(), authorize("invites:read")] as const,
    request: { query: ListInvitesQuery },
    responses: {
      200: {
        description: "One page of invites",
        content: { "application/json": { schema: InvitePageSchema } },
      },
      ...problemResponses(400, 401, 403, 429),
    },
  });

const routes = INVITE_PATH_FAMILIES.map(define);

export type ListInvitesResponse = JsonResponseOf<ReturnType<typeof define>>;

export function registerListInvites(app: App): void {
  for (const route of routes) {
    app.openapi(route, async (c) => {
      const query = c.req.valid("query");
      const page = await c.get("services").invites.queries.list(c.var.principal, {
        estado: query.estado,
        organizacao: query.organizacao,
        createdBy: query.criado_por,
        cursor: query.cursor,
        limit: query.limit,
      });
      return c.json(invitePageView(page), 200);
    });
  }
}
