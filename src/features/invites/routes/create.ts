import { createRoute } from "@hono/zod-openapi";
import { type App, JSON_BODY_PROBLEMS, type JsonResponseOf, problemResponses } from "../../../http/openapi";
import { authenticate, authorize } from "../../authorization/middleware";
import { securityFor } from "../../authorization/security";
import { CreatedInviteSchema, CreateInviteBody } from "../schemas";
import { createdInviteView } from "../views";
import { INVITE_PATH_FAMILIES, type InvitePathFamily } from "./paths";

const define = (family: InvitePathFamily) =>
  createRoute({
    method: "post",
    path: `${family.base}/`,
    operationId: `createInvite${family.operationSuffix}`,
    tags: ["Invites"],
    summary: "Create an invite (TokenAcesso)",
    description: `Root, admin and gestor create invites to profiles at or below their own role (403 otherwise), into organisations they belong to (root: any). At most \`INVITES_DAILY_LIMIT\` invites per issuer per UTC day: the next one is 429 with \`Retry-After\` until midnight UTC. The \`codigo\` is in this response only. Audited; counted in \`tokens_invites_created_total\`; \`invite.created\` goes to the webhook.${family.note}`,
    security: securityFor("invites:create"),
    middleware: [authenticate(), authorize("invites:create")] as const,
    request: { body: { required: true, content: { "application/json": { schema: CreateInviteBody } } } },
    responses: {
      201: {
        description: "The invite and its code",
        content: { "application/json": { schema: CreatedInviteSchema } },
      },
      ...problemResponses(...JSON_BODY_PROBLEMS, 401, 403, 429, 503),
    },
  });

const routes = INVITE_PATH_FAMILIES.map(define);

export type CreateInviteResponse = JsonResponseOf<ReturnType<typeof define>, 201>;

export function registerCreateInvite(app: App): void {
  for (const route of routes) {
    app.openapi(route, async (c) => {
      const body = c.req.valid("json");
      const created = await c.get("services").invites.creation.create(c.var.principal, {
        tipoDestino: body.tipo_destino,
        organizacao: body.organizacao,
        nucleos: body.nucleos ?? undefined,
        dataExpiracao: body.data_expiracao,
      });
      c.header("cache-control", "no-store");
      return c.json(createdInviteView(created), 201);
    });
  }
}
