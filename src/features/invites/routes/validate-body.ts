import { createRoute } from "@hono/zod-openapi";
import { type App, JSON_BODY_PROBLEMS, type JsonResponseOf, problemResponses } from "../../../http/openapi";
import { rateLimit } from "../../rate-limit/middleware";
import { InviteValidationSchema, ValidateInviteBody } from "../schemas";
import { validationView } from "../views";
import { INVITE_PATH_FAMILIES, type InvitePathFamily } from "./paths";
import { VALIDATION_DESCRIPTION } from "./validate-query";

const define = (family: InvitePathFamily) =>
  createRoute({
    method: "post",
    path: `${family.base}/validate/`,
    operationId: `validateInviteByBody${family.operationSuffix}`,
    tags: ["Invites"],
    summary: "Validate an invite code (code in the body)",
    description: `${VALIDATION_DESCRIPTION} The same as \`GET …/validate/?codigo=\`, with the code in the JSON body so it stays out of URLs.${family.note}`,
    security: [],
    middleware: [rateLimit("invites_validate_ip")] as const,
    request: { body: { required: true, content: { "application/json": { schema: ValidateInviteBody } } } },
    responses: {
      200: {
        description: "The invite's state",
        content: { "application/json": { schema: InviteValidationSchema } },
      },
      ...problemResponses(...JSON_BODY_PROBLEMS, 404, 429),
    },
  });

const routes = INVITE_PATH_FAMILIES.map(define);

export type ValidateInviteByBodyResponse = JsonResponseOf<ReturnType<typeof define>>;

export function registerValidateInviteByBody(app: App): void {
  for (const route of routes) {
    app.openapi(route, async (c) => {
      const { codigo } = c.req.valid("json");
      const validation = await c.get("services").invites.validation.validate(codigo);
      c.header("cache-control", "no-store");
      return c.json(validationView(validation), 200);
    });
  }
}
