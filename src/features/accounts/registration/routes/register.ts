import { createRoute, z } from "@hono/zod-openapi";
import {
  type App,
  JSON_BODY_PROBLEMS,
  type JsonResponseOf,
  problemResponses,
} from "../../../../http/openapi";
import { rateLimit } from "../../../rate-limit/middleware";
import {
  DisplayNameSchema,
  EmailSchema,
  NewPasswordSchema,
  TokenPairSchema,
  UsernameSchema,
  UserProfileSchema,
} from "../../schemas";

const RegisterBody = z
  .object({
    username: UsernameSchema,
    email: EmailSchema,
    password: NewPasswordSchema,
    name: DisplayNameSchema.optional().openapi({
      description:
        "Display name (the token's `user_name`); defaults to the username. One line of at most 100 characters, no control characters",
    }),
  })
  .openapi("RegisterRequest");

export const registerRoute = createRoute({
  method: "post",
  path: "/auth/register",
  operationId: "register",
  tags: ["Auth"],
  summary: "Create an account, queue its verification e-mail and sign in",
  security: [],
  description:
    "Creates an `usuario` account. A taken username or e-mail address is 409 without saying which. The verification e-mail is queued after the response.",
  middleware: [rateLimit("register_ip")] as const,
  request: { body: { required: true, content: { "application/json": { schema: RegisterBody } } } },
  responses: {
    201: {
      description: "Account created; a token pair for it",
      content: {
        "application/json": {
          schema: TokenPairSchema.extend({ user: UserProfileSchema }).openapi("RegisterResponse"),
        },
      },
    },
    ...problemResponses(...JSON_BODY_PROBLEMS, 409, 429),
  },
});

export type RegisterResponse = JsonResponseOf<typeof registerRoute, 201>;

export function registerRegister(app: App): void {
  app.openapi(registerRoute, async (c) => {
    const { accounts } = c.get("services");
    const { user, tokens } = await accounts.registration.register(c.req.valid("json"));
    c.header("cache-control", "no-store");
    return c.json({ ...tokens, user: await accounts.profiles.of(user) }, 201);
  });
}
