import { createRoute, z } from "@hono/zod-openapi";
import { type App, JSON_BODY_PROBLEMS, type JsonResponseOf, problemResponses } from "../../../http/openapi";
import { authenticate, authorize } from "../../authorization/middleware";
import { securityFor } from "../../authorization/security";
import { RecoveryCodesSchema, TwoFactorMethodSchema } from "../schemas";

const EnableBody = z
  .object({
    code: z.string().trim().min(1, "is required").max(64, "must be at most 64 characters").openapi({
      description: "A current code of the pending secret (totp) or the latest e-mailed code (email)",
      example: "492039",
    }),
    method: TwoFactorMethodSchema.default("totp"),
  })
  .openapi("TwoFactorEnableRequest");

/** `POST /auth/2fa/enable`: validation, middleware and responses, also its OpenAPI operation. */
export const twoFactorEnableRoute = createRoute({
  method: "post",
  path: "/auth/2fa/enable",
  operationId: "enableTwoFactor",
  tags: ["Two-factor"],
  summary: "Turn two-factor on with a first code; returns the recovery codes (shown only here)",
  description:
    "`totp`: a code of the secret from POST /auth/2fa/setup (current step ±1; that step cannot be used again at login). `email`: the latest code of purpose `second_factor` from POST /tokens/gerar-codigo/. A wrong code is 400 `CODE_REJECTED` and changes nothing; wrong codes count against the per-user limit (429). 409 when two-factor is already on or no setup waits.",
  security: securityFor("two-factor:manage"),
  middleware: [authenticate(), authorize("two-factor:manage")] as const,
  request: { body: { required: true, content: { "application/json": { schema: EnableBody } } } },
  responses: {
    200: {
      description: "Two-factor is on",
      content: {
        "application/json": {
          schema: z
            .object({
              enabled: z.literal(true),
              method: TwoFactorMethodSchema,
              recoveryCodes: RecoveryCodesSchema,
            })
            .openapi("TwoFactorEnabled"),
        },
      },
    },
    ...problemResponses(...JSON_BODY_PROBLEMS, 401, 403, 409, 429),
  },
});

/** The success body, as the route declares it (tests use it). */
export type TwoFactorEnableResponse = JsonResponseOf<typeof twoFactorEnableRoute>;

/** Registers `POST /auth/2fa/enable` on the app. */
export function registerTwoFactorEnable(app: App): void {
  app.openapi(twoFactorEnableRoute, async (c) => {
    const { twoFactor } = c.get("services");
    const input = c.req.valid("json");
    const recoveryCodes = await twoFactor.enrolment.enable(await twoFactor.userOf(c.var.principal), input);
    c.header("cache-control", "no-store");
    return c.json({ enabled: true as const, method: input.method, recoveryCodes }, 200);
  });
}
