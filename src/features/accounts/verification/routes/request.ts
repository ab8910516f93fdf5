import { createRoute, z } from "@hono/zod-openapi";
import {
  type App,
  JSON_BODY_PROBLEMS,
  type JsonResponseOf,
  problemResponses,
} from "../../../../http/openapi";
import { rateLimit } from "../../../rate-limit/middleware";
import { AcceptedSchema, EmailSchema } from "../../schemas";

const VerificationRequestBody = z.object({ email: EmailSchema }).openapi("VerificationTokenRequest");

export const verificationTokenRequestRoute = createRoute({
  method: "post",
  path: "/verification-token/request",
  operationId: "requestVerificationToken",
  tags: ["Verification"],
  summary: "E-mail a new verification link",
  security: [],
  description:
    "Always 202 with the same body; an e-mail goes out only to an unverified account with this address, after the response. The link carries the token in its fragment (`#token=vfy_…`), valid for `VERIFICATION_TOKEN_TTL` seconds, once; a newer one does not cancel it.",
  middleware: [
    rateLimit("verification_ip"),
    rateLimit("verification_identifier_client"),
    rateLimit("verification_identifier"),
  ] as const,
  request: { body: { required: true, content: { "application/json": { schema: VerificationRequestBody } } } },
  responses: {
    202: { description: "Accepted", content: { "application/json": { schema: AcceptedSchema } } },
    ...problemResponses(...JSON_BODY_PROBLEMS, 429, 503),
  },
});

export type VerificationTokenRequestResponse = JsonResponseOf<typeof verificationTokenRequestRoute, 202>;

export function registerVerificationTokenRequest(app: App): void {
  app.openapi(verificationTokenRequestRoute, (c) => {
    c.get("services").accounts.verification.request(c.req.valid("json").email);
    return c.json(
      { message: "If an unverified account has this address, a verification link is on its way." },
      202,
    );
  });
}
