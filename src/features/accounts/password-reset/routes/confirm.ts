import { createRoute, z } from "@hono/zod-openapi";
import { type App, JSON_BODY_PROBLEMS, problemResponses } from "../../../../http/openapi";
import { rateLimit } from "../../../rate-limit/middleware";
import { NewPasswordSchema, SecretTokenSchema } from "../../schemas";

const ResetConfirmBody = z
  .object({
    token: SecretTokenSchema.openapi({
      description: "From the e-mailed link",
      example: "rst_Q2hhbmdlIG1lIHBsZWFzZQ…",
    }),
    password: NewPasswordSchema,
  })
  .openapi("PasswordResetConfirm");

export const resetPasswordConfirmRoute = createRoute({
  method: "post",
  path: "/reset-password/confirm",
  operationId: "confirmPasswordReset",
  tags: ["Password reset"],
  summary: "Set a new password with a reset token; ends every session",
  security: [],
  description:
    "Revokes every refresh token of the user, and this service refuses their access tokens issued before the reset. Unknown token → 400, used or replaced → 409, expired → 410.",
  middleware: [rateLimit("password_reset_confirm_ip")] as const,
  request: { body: { required: true, content: { "application/json": { schema: ResetConfirmBody } } } },
  responses: {
    204: { description: "Password changed" },
    ...problemResponses(...JSON_BODY_PROBLEMS, 409, 410, 429, 503),
  },
});

export function registerResetPasswordConfirm(app: App): void {
  app.openapi(resetPasswordConfirmRoute, async (c) => {
    const { token, password } = c.req.valid("json");
    await c.get("services").accounts.passwordResets.confirm(token, password);
    return c.body(null, 204);
  });
}
