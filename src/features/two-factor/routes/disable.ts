import { createRoute, z } from "@hono/zod-openapi";
import { type App, JSON_BODY_PROBLEMS, problemResponses } from "../../../http/openapi";
import { SubmittedPasswordSchema } from "../../accounts/schemas";
import { authenticate, authorize } from "../../authorization/middleware";
import { securityFor } from "../../authorization/security";
import { SecondFactorCodeSchema } from "../schemas";

const DisableBody = z
  .object({ password: SubmittedPasswordSchema, code: SecondFactorCodeSchema })
  .openapi("TwoFactorDisableRequest");

/** `POST /auth/2fa/disable`: validation, middleware and responses, also its OpenAPI operation. */
export const twoFactorDisableRoute = createRoute({
  method: "post",
  path: "/auth/2fa/disable",
  operationId: "disableTwoFactor",
  tags: ["Two-factor"],
  summary: "Turn two-factor off (password and a current second factor)",
  description:
    "`code` is a current TOTP code, the latest e-mailed `second_factor` code (method email) or an unused recovery code. The secret and every recovery code are deleted. A wrong password is 400 with `errors` on `body.password`; a wrong code is 400 `CODE_REJECTED`; both count against the per-user limit (429). 409 when two-factor is off.",
  security: securityFor("two-factor:manage"),
  middleware: [authenticate(), authorize("two-factor:manage")] as const,
  request: { body: { required: true, content: { "application/json": { schema: DisableBody } } } },
  responses: {
    204: { description: "Two-factor is off" },
    ...problemResponses(...JSON_BODY_PROBLEMS, 401, 403, 409, 429),
  },
});

/** Registers `POST /auth/2fa/disable` on the app. */
export function registerTwoFactorDisable(app: App): void {
  app.openapi(twoFactorDisableRoute, async (c) => {
    const { twoFactor } = c.get("services");
    await twoFactor.enrolment.disable(await twoFactor.userOf(c.var.principal), c.req.valid("json"));
    return c.body(null, 204);
  });
}
