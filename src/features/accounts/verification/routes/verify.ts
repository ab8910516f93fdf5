import { createRoute, z } from "@hono/zod-openapi";
import {
  type App,
  JSON_BODY_PROBLEMS,
  type JsonResponseOf,
  problemResponses,
} from "../../../../http/openapi";
import { rateLimit } from "../../../rate-limit/middleware";
import { SecretTokenSchema } from "../../schemas";

const VerifyBody = z
  .object({
    token: SecretTokenSchema.openapi({
      description: "From the e-mailed link",
      example: "vfy_SGVsbG8gdGhlcmUgZnJpZW5k…",
    }),
  })
  .openapi("VerificationTokenVerify");

export const verificationTokenVerifyRoute = createRoute({
  method: "post",
  path: "/verification-token/verify",
  operationId: "verifyEmail",
  tags: ["Verification"],
  summary: "Confirm the e-mail address with a verification token",
  security: [],
  description: "Unknown token → 400, used or replaced → 409, expired → 410.",
  middleware: [rateLimit("verification_verify_ip")] as const,
  request: { body: { required: true, content: { "application/json": { schema: VerifyBody } } } },
  responses: {
    200: {
      description: "The address is verified",
      content: {
        "application/json": {
          schema: z
            .object({ emailVerified: z.literal(true), emailVerifiedAt: z.iso.datetime() })
            .openapi("EmailVerified"),
        },
      },
    },
    ...problemResponses(...JSON_BODY_PROBLEMS, 409, 410, 429, 503),
  },
});

export type VerificationTokenVerifyResponse = JsonResponseOf<typeof verificationTokenVerifyRoute>;

export function registerVerificationTokenVerify(app: App): void {
  app.openapi(verificationTokenVerifyRoute, async (c) => {
    const verifiedAt = await c.get("services").accounts.verification.verify(c.req.valid("json").token);
    return c.json({ emailVerified: true as const, emailVerifiedAt: verifiedAt.toISOString() }, 200);
  });
}
