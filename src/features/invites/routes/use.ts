import { createRoute } from "@hono/zod-openapi";
import { type App, JSON_BODY_PROBLEMS, type JsonResponseOf, problemResponses } from "../../../http/openapi";
import { authenticate, authorize } from "../../authorization/middleware";
import { securityFor } from "../../authorization/security";
import { InviteIdParams, UsedInviteSchema, UseInviteBody } from "../schemas";
import { usedInviteView } from "../views";
import { INVITE_PATH_FAMILIES, type InvitePathFamily } from "./paths";

const define = (family: InvitePathFamily) =>
  createRoute({
    method: "post",
    path: `${family.base}/{id}/use/`,
    operationId: `useInvite${family.operationSuffix}`,
    tags: ["Invites"],
    summary: "Use an invite: join its organisation",
    description: `The signed-in user presents the invite's \`codigo\` and joins its organisation with the profile's role (\`tipo_destino\`: associado/colaborador → usuario, gestor → gestor, admin → admin) and its \`nucleos\`. Their global role is not changed. Exactly once, even under concurrent requests: the others get 409. Used or revoked: 409; expired: 410; unknown id or a code that is not this invite's: 404.${family.note}`,
    security: securityFor("invites:use"),
    middleware: [authenticate(), authorize("invites:use")] as const,
    request: {
      params: InviteIdParams,
      body: { required: true, content: { "application/json": { schema: UseInviteBody } } },
    },
    responses: {
      200: {
        description: "The invite is used; the user's membership",
        content: { "application/json": { schema: UsedInviteSchema } },
      },
      ...problemResponses(...JSON_BODY_PROBLEMS, 401, 403, 404, 409, 410, 429),
    },
  });

const routes = INVITE_PATH_FAMILIES.map(define);

export type UseInviteResponse = JsonResponseOf<ReturnType<typeof define>>;

export function registerUseInvite(app: App): void {
  for (const route of routes) {
    app.openapi(route, async (c) => {
      const { id } = c.req.valid("param");
      const { codigo } = c.req.valid("json");
      const used = await c.get("services").invites.usage.use(c.var.principal, id, codigo);
      return c.json(usedInviteView(used), 200);
    });
  }
}
