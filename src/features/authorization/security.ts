import { PERMISSIONS, type Permission, type PermissionRule } from "./permissions";

/**
 * The OpenAPI security schemes of the two credentials `authenticate()` accepts, both sent as
 * `Authorization: Bearer …`: registered once by the document (features/docs/routes/openapi.ts).
 */
export const SECURITY_SCHEMES = {
  bearerAuth: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "An access token (RS256 JWT, `typ: at+jwt`) from login, register or refresh",
  },
  apiToken: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "eat_…",
    description:
      "An API token (`eat_` + 43 random characters + a 6-character checksum) acting for its owner, " +
      "limited by its scope and optional permissions",
  },
  tenantToken: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description:
      "A tenant access token (RS256 JWT, `typ: tenant+jwt`) from POST /tenants/{tenant_slug}/login or mfa/verify; works only on its own tenant's routes",
  },
} as const;

/**
 * The `security` of a route protected by `permission`: an access token or an API token, or only an
 * access token when the operation is closed to API tokens, plus a tenant access token for the
 * tenant routes. Derived from the catalogue, so the document cannot promise what
 * `authorize(permission)` refuses.
 *
 * @example createRoute({ …, security: securityFor("api-tokens:read"), middleware: [authenticate(), authorize("api-tokens:read")] as const })
 */
export function securityFor(permission: Permission): Array<Record<string, string[]>> {
  const rule: PermissionRule = PERMISSIONS[permission];
  const global: Array<Record<string, string[]>> =
    rule.apiTokens === false ? [{ bearerAuth: [] }] : [{ bearerAuth: [] }, { apiToken: [] }];
  return rule.tenantTokens ? [...global, { tenantToken: [] }] : global;
}
