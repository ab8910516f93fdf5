import { createRoute } from "@hono/zod-openapi";
import { type App, JSON_BODY_PROBLEMS, type JsonResponseOf, problemResponses } from "../../../http/openapi";
import { rateLimit } from "../../rate-limit/middleware";
import { byBodyField, byBodyFieldAndClientIp } from "../../rate-limit/policies";
import { TenantLoginBody, TenantLoginResponseSchema, TenantSlugParams } from "../schemas";
import { loginView } from "../views";

export const tenantLoginRoute = createRoute({
  method: "post",
  path: "/tenants/{tenant_slug}/login",
  operationId: "tenantLogin",
  tags: ["Tenant sessions"],
  summary: "Sign an agent in to a tenant",
  description:
    "Unknown tenant, disabled tenant, unknown e-mail, wrong password, disabled account and a user who is not an agent of this tenant all get the identical 401 after one Argon2id verification. Without a second factor the session is active and the answer carries `access_token`. When the agent has 2FA on, or the tenant sets `mfa_required`, the session is pending (`mfa_required: true`, no token, 5 minutes, 5 wrong codes): finish it with mfa/verify. Agents whose method is e-mail, and agents without 2FA in a tenant that requires it, are e-mailed a code now. Shares every password budget with /auth/login: per client (`RATE_LIMIT_LOGIN_IP`), and the failures of this e-mail from this client (`RATE_LIMIT_LOGIN_IDENTIFIER_CLIENT`) and from anywhere (`RATE_LIMIT_LOGIN_IDENTIFIER`), counted as the same identifier.",
  security: [],
  // The e-mail is counted as /auth/login's identifier: one budget per account, whichever door.
  middleware: [
    rateLimit("login_ip"),
    rateLimit("login_identifier_client", { key: byBodyFieldAndClientIp("email", "identifier") }),
    rateLimit("login_identifier", { key: byBodyField("email", "identifier") }),
  ] as const,
  request: {
    params: TenantSlugParams,
    body: { required: true, content: { "application/json": { schema: TenantLoginBody } } },
  },
  responses: {
    200: {
      description: "Signed in, or waiting for the second factor",
      content: { "application/json": { schema: TenantLoginResponseSchema } },
    },
    ...problemResponses(...JSON_BODY_PROBLEMS, 401, 429, 503),
  },
});

export type TenantLoginResponse = JsonResponseOf<typeof tenantLoginRoute>;

export function registerTenantLogin(app: App): void {
  app.openapi(tenantLoginRoute, async (c) => {
    const result = await c
      .get("services")
      .tenants.login.login(c.req.valid("param").tenant_slug, c.req.valid("json"));
    c.header("cache-control", "no-store");
    return c.json(loginView(result), 200);
  });
}
