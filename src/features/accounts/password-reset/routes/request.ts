import { createRoute, z } from "@hono/zod-openapi";
import {
  type App,
  JSON_BODY_PROBLEMS,
  type JsonResponseOf,
  problemResponses,
} from "../../../../http/openapi";
import { rateLimit } from "../../../rate-limit/middleware";
import { AcceptedSchema, EmailSchema } from "../../schemas";

const ResetRequestBody = z.object({ email: EmailSchema }).openapi("PasswordResetRequest");

export const resetPasswordRequestRoute = createRoute({
  method: "post",
  path: "/reset-password/request",
  operationId: "requestPasswordReset",
  tags: ["Password reset"],
  summary: "E-mail a password reset link",
  security: [],
  description:
    "Always 202 with the same body, whether or not an account has this address; the e-mail is sent after the response. The link carries the token in its fragment (`#token=rst_…`), valid for `PASSWORD_RESET_TTL` seconds, once. A newer request does not cancel it; setting a new password with any link ends the others.",
  middleware: [
    rateLimit("password_reset_ip"),
    rateLimit("password_reset_identifier_client"),
    rateLimit("password_reset_identifier"),
  ] as const,
  request: { body: { required: true, content: { "application/json": { schema: ResetRequestBody } } } },
  responses: {
    202: { description: "Accepted", content: { "application/json": { schema: AcceptedSchema } } },
    ...problemResponses(...JSON_BODY_PROBLEMS, 429, 503),
  },
});

export type ResetPasswordRequestResponse = JsonResponseOf<typeof resetPasswordRequestRoute, 202>;

export function registerResetPasswordRequest(app: App): void {
  app.openapi(resetPasswordRequestRoute, (c) => {
    c.get("services").accounts.passwordResets.request(c.req.valid("json").email);
    return c.json({ message: "If an account has this address, a reset link is on its way." }, 202);
  });
}
