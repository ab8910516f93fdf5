import { createRoute, z } from "@hono/zod-openapi";
import { type App, JSON_BODY_PROBLEMS, type JsonResponseOf, problemResponses } from "../../../http/openapi";
import { authenticate, authorize } from "../../authorization/middleware";
import { securityFor } from "../../authorization/security";
import { RecoveryCodesSchema, SecondFactorCodeSchema } from "../schemas";

const RecoveryCodesBody = z.object({ code: SecondFactorCodeSchema }).openapi("RecoveryCodesRequest");

/** `POST /auth/2fa/recovery-codes`: validation, middleware and responses, also its OpenAPI operation. */
export const recoveryCodesRoute = createRoute({
  method: "post",
  path: "/auth/2fa/recovery-codes",
  operationId: "regenerateRecoveryCodes",
  tags: ["Two-factor"],
  summary: "A new set of recovery codes; the old set stops working",
  description:
    "Needs a current second factor (a recovery code counts, and is used). The new codes are shown only in this response. A wrong code is 400 `CODE_REJECTED` and counts against the per-user limit (429). 409 when two-factor is off.",
  security: securityFor("two-factor:manage"),
  middleware: [authenticate(), authorize("two-factor:manage")] as const,
  request: { body: { required: true, content: { "application/json": { schema: RecoveryCodesBody } } } },
  responses: {
    200: {
      description: "The new recovery codes",
      content: {
        "application/json": {
          schema: z.object({ recoveryCodes: RecoveryCodesSchema }).openapi("RecoveryCodes"),
        },
      },
    },
    ...problemResponses(...JSON_BODY_PROBLEMS, 401, 403, 409, 429),
  },
});

/** The success body, as the route declares it (tests use it). */
export type RecoveryCodesResponse = JsonResponseOf<typeof recoveryCodesRoute>;

/** Registers `POST /auth/2fa/recovery-codes` on the app. */
export function registerRecoveryCodes(app: App): void {
  app.openapi(recoveryCodesRoute, async (c) => {
    const { twoFactor } = c.get("services");
    const user = await twoFactor.userOf(c.var.principal);
    const recoveryCodes = await twoFactor.enrolment.regenerateRecoveryCodes(user, c.req.valid("json").code);
    c.header("cache-control", "no-store");
    return c.json({ recoveryCodes }, 200);
  });
}
