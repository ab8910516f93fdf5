import { createRoute } from "@hono/zod-openapi";
import { type App, JSON_BODY_PROBLEMS, type JsonResponseOf, problemResponses } from "../../../http/openapi";
import { authenticate, authorize } from "../../authorization/middleware";
import { securityFor } from "../../authorization/security";
import { ChainReportSchema, VerifyChainBody } from "../schemas";
import { chainReportView } from "../views";

export const verifyAuditChainRoute = createRoute({
  method: "post",
  path: "/api/audit-logs/verify/",
  operationId: "verifyAuditChain",
  tags: ["Audit"],
  summary: "Seal and check the audit log's hash chain",
  description:
    "Links rows not yet in the chain (up to `limit`), then checks up to `limit` positions after `after_seq` and reports the first broken link: `missing` (a row deleted or unlinked), `altered` (this row or the one before it was edited), `head_mismatch` or `beyond_head` (the recorded head was edited). Check a long chain page by page with `next_after_seq`. Rows are protected from the moment they are sealed (by the cron every 15 minutes, or by this call). Keep `head` somewhere else from time to time: a chain rewritten from some row on, hashes and all, is only caught against an earlier head.",
  security: securityFor("audit:verify"),
  middleware: [authenticate(), authorize("audit:verify")] as const,
  request: { body: { required: false, content: { "application/json": { schema: VerifyChainBody } } } },
  responses: {
    200: { description: "The chain report", content: { "application/json": { schema: ChainReportSchema } } },
    ...problemResponses(...JSON_BODY_PROBLEMS, 401, 403, 429),
  },
});

export type VerifyAuditChainResponse = JsonResponseOf<typeof verifyAuditChainRoute>;

export function registerVerifyAuditChain(app: App): void {
  app.openapi(verifyAuditChainRoute, async (c) => {
    // The body is optional: without one the validator passes nothing, so the defaults are applied here.
    const body = VerifyChainBody.parse(c.req.valid("json") ?? {});
    const report = await c.get("services").auditLogs.verify({ afterSeq: body.after_seq, limit: body.limit });
    return c.json(chainReportView(report), 200);
  });
}
