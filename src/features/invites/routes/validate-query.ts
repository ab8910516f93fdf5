import { createRoute } from "@hono/zod-openapi";
import { type App, type JsonResponseOf, problemResponses } from "../../../http/openapi";
import { rateLimit } from "../../rate-limit/middleware";
import { InviteValidationSchema, ValidateInviteQuery } from "../schemas";
import { validationView } from "../views";
import { INVITE_PATH_FAMILIES, type InvitePathFamily } from "./paths";

/** What both validation routes say about themselves. */
export const VALIDATION_DESCRIPTION =
  "Public. The current state of the invite the code belongs to: `novo` (usable), `usado`, `revogado` or `expirado` (past `data_expiracao`, even before the cleanup marks it). An unknown code is 404. Every call is audited (never the code) and timed in `tokens_validation_latency_seconds`; failures count in `tokens_validation_fail_total`. Rate limited per client IP (`RATE_LIMIT_INVITES_VALIDATE_IP`).";

const define = (family: InvitePathFamily) =>
  createRoute({
    method: "get",
    path: `${family.base}/validate/`,
    operationId: `validateInvite${family.operationSuffix}`,
    tags: ["Invites"],
    summary: "Validate an invite code (code in the query)",
    description: `${VALIDATION_DESCRIPTION} Seed 000's form; prefer \`POST …/validate/\`, which keeps the code out of URLs and the logs that record them.${family.note}`,
    security: [],
    middleware: [rateLimit("invites_validate_ip")] as const,
    request: { query: ValidateInviteQuery },
    responses: {
      200: {
        description: "The invite's state",
        content: { "application/json": { schema: InviteValidationSchema } },
      },
      ...problemResponses(400, 404, 429),
    },
  });

const routes = INVITE_PATH_FAMILIES.map(define);

export type ValidateInviteResponse = JsonResponseOf<ReturnType<typeof define>>;

export function registerValidateInviteByQuery(app: App): void {
  for (const route of routes) {
    app.openapi(route, async (c) => {
      const { codigo } = c.req.valid("query");
      const validation = await c.get("services").invites.validation.validate(codigo);
      c.header("cache-control", "no-store");
      return c.json(validationView(validation), 200);
    });
  }
}
