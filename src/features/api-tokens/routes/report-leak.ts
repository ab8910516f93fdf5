import { createRoute, z } from "@hono/zod-openapi";
import { type App, JSON_BODY_PROBLEMS, type JsonResponseOf, problemResponses } from "../../../http/openapi";
import { rateLimit } from "../../rate-limit/middleware";
import { LeakReportBody } from "../schemas";

export const reportLeakedApiTokenRoute = createRoute({
  method: "post",
  path: "/api/api-tokens/leaked",
  operationId: "reportLeakedApiToken",
  tags: ["API tokens"],
  summary: "Report an API token found in the wild (public)",
  description:
    "For secret scanners and anyone who finds a token: a live token is revoked at once, its owner e-mailed and the report audited. The answer is the same 202 whether or not the token existed or was still live. Only a string that is not an API token of this service at all (prefix, length, checksum: all checkable offline) is 400.",
  security: [],
  middleware: [rateLimit("api_token_leak_ip")] as const,
  request: { body: { required: true, content: { "application/json": { schema: LeakReportBody } } } },
  responses: {
    202: {
      description: "Reported; says nothing about the token",
      content: {
        "application/json": { schema: z.object({ message: z.string() }).openapi("LeakReportAccepted") },
      },
    },
    ...problemResponses(...JSON_BODY_PROBLEMS, 429),
  },
});

export type ReportLeakedApiTokenResponse = JsonResponseOf<typeof reportLeakedApiTokenRoute, 202>;

export function registerReportLeakedApiToken(app: App): void {
  app.openapi(reportLeakedApiTokenRoute, async (c) => {
    await c.get("services").apiTokens.tokens.reportLeak(c.req.valid("json").token);
    return c.json(
      { message: "Thank you. If this token was live, it is revoked now and its owner told." },
      202,
    );
  });
}
