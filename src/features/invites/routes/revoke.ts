import { createRoute } from "@hono/zod-openapi";
import { type App, type JsonResponseOf, problemResponses } from "../../../http/openapi";
import { authenticate, authorize } from "../../authorization/middleware";
import { securityFor } from "../../authorization/security";
import { CodeOrIdParams, InviteSchema } from "../schemas";
import { inviteView } from "../views";
import { INVITE_PATH_FAMILIES, type InvitePathFamily } from "./paths";

const define = (family: InvitePathFamily) =>
  createRoute({
    method: "post",
    path: `${family.base}/{codigo_or_id}/revogar/`,
    operationId: `revokeInvite${family.operationSuffix}`,
    tags: ["Invites"],
    summary: "Revoke an invite",
    description: `Admin and root revoke any invite they can see; a gestor only the invites they created (403 for another's). The invite is named by id or by code. Who, when, IP and user agent are recorded. Used or revoked: 409; expired: 410; an invite of an organisation the caller does not belong to: 404. No body.${family.note}`,
    security: securityFor("invites:revoke"),
    middleware: [authenticate(), authorize("invites:revoke")] as const,
    request: { params: CodeOrIdParams },
    responses: {
      200: { description: "The revoked invite", content: { "application/json": { schema: InviteSchema } } },
      ...problemResponses(400, 401, 403, 404, 409, 410, 429),
    },
  });

const routes = INVITE_PATH_FAMILIES.map(define);

export type RevokeInviteResponse = JsonResponseOf<ReturnType<typeof define>>;

export function registerRevokeInvite(app: App): void {
  for (const route of routes) {
    app.openapi(route, async (c) => {
      const { codigo_or_id } = c.req.valid("param");
      const invite = await c.get("services").invites.revocation.revoke(c.var.principal, codigo_or_id);
      return c.json(inviteView(invite), 200);
    });
  }
}
