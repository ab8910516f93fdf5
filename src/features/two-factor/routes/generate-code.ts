import { createRoute, z } from "@hono/zod-openapi";
import { type App, JSON_BODY_PROBLEMS, type JsonResponseOf, problemResponses } from "../../../http/openapi";
import { authenticate, authorize } from "../../authorization/middleware";
import { securityFor } from "../../authorization/security";
import { CodePurposeSchema, TargetUserIdSchema } from "../schemas";

const GenerateCodeBody = z
  .object({ purpose: CodePurposeSchema, userId: TargetUserIdSchema })
  .openapi("GenerateCodeRequest");

/** `POST /tokens/gerar-codigo/`: validation, middleware and responses, also its OpenAPI operation. */
export const generateCodeRoute = createRoute({
  method: "post",
  path: "/tokens/gerar-codigo/",
  operationId: "generateCode",
  tags: ["Two-factor"],
  summary: "E-mail a temporary 6-digit code (seed 000's gerar-codigo)",
  description:
    "Creates a code for the caller, or for `userId` when the caller is admin or root (to help a user), and e-mails it through the e-mail Queue; the code is never in the response. It lives `TWO_FACTOR_CODE_TTL` seconds (default 300), is stored as a keyed digest, works once, dies after 5 wrong tries, and a newer code of the same purpose replaces it. At most `RATE_LIMIT_TWO_FACTOR_CODE_SEND` codes per user (429). Audited with IP, user agent and result.",
  security: securityFor("two-factor-codes:send"),
  middleware: [authenticate(), authorize("two-factor-codes:send")] as const,
  request: { body: { required: false, content: { "application/json": { schema: GenerateCodeBody } } } },
  responses: {
    202: {
      description: "The e-mail is queued",
      content: {
        "application/json": {
          schema: z
            .object({
              message: z.string(),
              userId: z.string(),
              purpose: z.enum(["second_factor", "confirmation"]),
              expiresAt: z.iso.datetime(),
              sentTo: z.string().openapi({ description: "The address, masked", example: "m•••@example.com" }),
            })
            .openapi("CodeSent"),
        },
      },
    },
    ...problemResponses(...JSON_BODY_PROBLEMS, 401, 403, 404, 409, 429),
  },
});

/** The success body, as the route declares it (tests use it). */
export type GenerateCodeResponse = JsonResponseOf<typeof generateCodeRoute, 202>;

/** Registers `POST /tokens/gerar-codigo/` on the app. */
export function registerGenerateCode(app: App): void {
  app.openapi(generateCodeRoute, async (c) => {
    // Without a body the validator is skipped (the body is optional), so the default applies here.
    const { purpose = "confirmation", userId } = c.req.valid("json") ?? {};
    const sent = await c.get("services").twoFactor.emailedCodes.request(c.var.principal, { purpose, userId });
    const message = "A code is on its way to the account's e-mail address.";
    return c.json({ message, ...sent, expiresAt: sent.expiresAt.toISOString() }, 202);
  });
}
