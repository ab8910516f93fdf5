import { createRoute } from "@hono/zod-openapi";
import { type App, JSON_BODY_PROBLEMS, type JsonResponseOf, problemResponses } from "../../../http/openapi";
import { rateLimit } from "../../rate-limit/middleware";
import { MfaVerifyBody, TenantLoginResponseSchema, TenantSlugParams } from "../schemas";
import { loginView } from "../views";

export const tenantMfaVerifyRoute = createRoute({
  method: "post",
  path: "/tenants/{tenant_slug}/mfa/verify",
  operationId: "tenantMfaVerify",
  tags: ["Tenant sessions"],
  summary: "Complete a pending tenant session with a second factor",
  description:
    "`method`: `totp` (each code accepted once, the same replay guard as /auth/login), `recovery` (single use) or `email` (the code e-mailed at login). Answers like login with `mfa_required: false`, the session's remaining time and `access_token`; the session's time counts from login. An unknown, ended, expired or other tenant's session: 401. A wrong code: 401 with the tries left; the fifth ends the session. The user's wrong-code budget (`RATE_LIMIT_TWO_FACTOR_USER`) applies as everywhere: 429 with `Retry-After` once spent.",
  security: [],
  middleware: [rateLimit("login_ip")] as const,
  request: {
    params: TenantSlugParams,
    body: { required: true, content: { "application/json": { schema: MfaVerifyBody } } },
  },
  responses: {
    200: {
      description: "The session is active",
      content: { "application/json": { schema: TenantLoginResponseSchema } },
    },
    ...problemResponses(...JSON_BODY_PROBLEMS, 401, 429, 503),
  },
});

export type TenantMfaVerifyResponse = JsonResponseOf<typeof tenantMfaVerifyRoute>;

export function registerTenantMfaVerify(app: App): void {
  app.openapi(tenantMfaVerifyRoute, async (c) => {
    const body = c.req.valid("json");
    const result = await c.get("services").tenants.login.verifyMfa(c.req.valid("param").tenant_slug, {
      sessionId: body.session_id,
      code: body.code,
      method: body.method,
    });
    c.header("cache-control", "no-store");
    return c.json(loginView(result), 200);
  });
}
