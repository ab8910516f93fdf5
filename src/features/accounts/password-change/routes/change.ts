import { createRoute, z } from "@hono/zod-openapi";
import {
  type App,
  JSON_BODY_PROBLEMS,
  type JsonResponseOf,
  problemResponses,
} from "../../../../http/openapi";
import { authenticate, authorize } from "../../../authorization/middleware";
import { securityFor } from "../../../authorization/security";
import { rateLimit } from "../../../rate-limit/middleware";
import { NewPasswordSchema, SubmittedPasswordSchema, TokenPairSchema } from "../../schemas";

const ChangePasswordBody = z
  .object({
    currentPassword: SubmittedPasswordSchema,
    newPassword: NewPasswordSchema,
  })
  .openapi("ChangePasswordRequest");

export const changePasswordRoute = createRoute({
  method: "post",
  path: "/auth/password",
  operationId: "changePassword",
  tags: ["Auth"],
  summary: "Change the signed-in user's password; ends every session and starts a new one",
  description:
    "Needs the current password as well as the access token. Every session of the user ends (refresh tokens revoked, access tokens refused by this service), the one that asked included; the answer is a new token pair. A notice goes to the account's e-mail address. A wrong current password is 400 (`body.currentPassword`); attempts are limited per user. API tokens cannot do this.",
  security: securityFor("password:change"),
  middleware: [authenticate(), authorize("password:change"), rateLimit("password_change_user")] as const,
  request: { body: { required: true, content: { "application/json": { schema: ChangePasswordBody } } } },
  responses: {
    200: {
      description: "Password changed; a new session",
      content: { "application/json": { schema: TokenPairSchema } },
    },
    ...problemResponses(...JSON_BODY_PROBLEMS, 401, 403, 429, 503),
  },
});

export type ChangePasswordResponse = JsonResponseOf<typeof changePasswordRoute>;

export function registerChangePassword(app: App): void {
  app.openapi(changePasswordRoute, async (c) => {
    const { accounts } = c.get("services");
    const user = await accounts.profiles.userOf(c.var.principal);
    const tokens = await accounts.passwordChanges.change(user, c.req.valid("json"));
    c.header("cache-control", "no-store");
    return c.json(tokens, 200);
  });
}
