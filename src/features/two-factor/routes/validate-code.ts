import { createRoute, z } from "@hono/zod-openapi";
import { type App, JSON_BODY_PROBLEMS, type JsonResponseOf, problemResponses } from "../../../http/openapi";
import { authenticate, authorize } from "../../authorization/middleware";
import { securityFor } from "../../authorization/security";
import { CodePurposeSchema, TargetUserIdSchema } from "../schemas";

const ValidateCodeBody = z
  .object({
    codigo: z
      .string()
      .trim()
      .regex(/^[0-9]{6}$/, "must be the 6 digits of the e-mailed code")
      .openapi({ example: "048213" }),
    purpose: CodePurposeSchema,
    userId: TargetUserIdSchema,
  })
  .openapi("ValidateCodeRequest");

/** `POST /tokens/validar-codigo/`: validation, middleware and responses, also its OpenAPI operation. */
export const validateCodeRoute = createRoute({
  method: "post",
  path: "/tokens/validar-codigo/",
  operationId: "validateCode",
  tags: ["Two-factor"],
  summary: "Confirm a temporary code (seed 000's validar-codigo)",
  description:
    "Uses the caller's (or, for admin and root, `userId`'s) latest code of `purpose`. Wrong: 400 `CODE_REJECTED` with the tries left (the 5th wrong try kills the code); none requested: 404; used, dead or replaced: 409; expired: 410. Wrong codes count against the per-user limit of wrong second factors (429). Audited with IP, user agent and result.",
  security: securityFor("two-factor-codes:validate"),
  middleware: [authenticate(), authorize("two-factor-codes:validate")] as const,
  request: { body: { required: true, content: { "application/json": { schema: ValidateCodeBody } } } },
  responses: {
    200: {
      description: "The code was right; it is now used",
      content: {
        "application/json": {
          schema: z
            .object({
              valid: z.literal(true),
              userId: z.string(),
              purpose: z.enum(["second_factor", "confirmation"]),
              validatedAt: z.iso.datetime(),
            })
            .openapi("CodeValidated"),
        },
      },
    },
    ...problemResponses(...JSON_BODY_PROBLEMS, 401, 403, 404, 409, 410, 429),
  },
});

/** The success body, as the route declares it (tests use it). */
export type ValidateCodeResponse = JsonResponseOf<typeof validateCodeRoute>;

/** Registers `POST /tokens/validar-codigo/` on the app. */
export function registerValidateCode(app: App): void {
  app.openapi(validateCodeRoute, async (c) => {
    const validated = await c
      .get("services")
      .twoFactor.emailedCodes.confirm(c.var.principal, c.req.valid("json"));
    return c.json(
      { valid: true as const, ...validated, validatedAt: validated.validatedAt.toISOString() },
      200,
    );
  });
}
