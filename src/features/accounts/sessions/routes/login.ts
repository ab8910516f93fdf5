import { createRoute, z } from "@hono/zod-openapi";
import {
  type App,
  JSON_BODY_PROBLEMS,
  type JsonResponseOf,
  problemResponses,
} from "../../../../http/openapi";
import { rateLimit } from "../../../rate-limit/middleware";
import { SubmittedPasswordSchema, TokenPairSchema } from "../../schemas";

const LoginBody = z
  .object({
    identifier: z
      .string()
      .trim()
      .min(1, "is required")
      .max(254, "must be at most 254 characters")
      .openapi({ description: "Username or e-mail address (case-insensitive)", example: "maria.silva" }),
    password: SubmittedPasswordSchema,
    twoFactorCode: z
      .string()
      .trim()
      .min(1, "must not be empty")
      .max(64, "must be at most 64 characters")
      .optional()
      .openapi({
        description:
          "Required when the account has two-factor on: the authenticator app's 6-digit code (current step ±1, each accepted once), the latest e-mailed code (method email), or an unused recovery code",
        example: "123456",
      }),
  })
  .openapi("LoginRequest");

export const loginRoute = createRoute({
  method: "post",
  path: "/auth/login",
  operationId: "login",
  tags: ["Auth"],
  summary: "Sign in with username or e-mail and password",
  security: [],
  description:
    "An unknown account, a wrong password and a disabled account get the same 401 `INVALID_CREDENTIALS` (same body, comparable time). Failed attempts are limited per identifier and client and, with a much larger ceiling, per identifier; successful ones cost nothing, so nobody elsewhere can lock the owner out. Only after the password matched: a two-factor account without `twoFactorCode` gets 401 `TWO_FACTOR_REQUIRED` (with method email, a code is e-mailed first), a wrong, replayed or used code 401 `INVALID_TWO_FACTOR_CODE`, and once the user's wrong second factors are spent (`RATE_LIMIT_TWO_FACTOR_USER`) 429 with `Retry-After`.",
  middleware: [
    rateLimit("login_ip"),
    rateLimit("login_identifier_client"),
    rateLimit("login_identifier"),
  ] as const,
  request: { body: { required: true, content: { "application/json": { schema: LoginBody } } } },
  responses: {
    200: { description: "Signed in", content: { "application/json": { schema: TokenPairSchema } } },
    ...problemResponses(...JSON_BODY_PROBLEMS, 401, 429, 503),
  },
});

export type LoginResponse = JsonResponseOf<typeof loginRoute>;

export function registerLogin(app: App): void {
  app.openapi(loginRoute, async (c) => {
    const tokens = await c.get("services").accounts.login.login(c.req.valid("json"));
    c.header("cache-control", "no-store");
    return c.json(tokens, 200);
  });
}
