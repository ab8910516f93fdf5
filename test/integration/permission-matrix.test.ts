import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app";
import { createD1Database } from "../../src/db/d1";
import type { ApiTokenScope } from "../../src/features/api-tokens/api-token";
import { ApiTokenRepository } from "../../src/features/api-tokens/repository";
import { generateApiToken } from "../../src/features/api-tokens/token-format";
import {
  PERMISSIONS,
  type Permission,
  type PermissionRule,
} from "../../src/features/authorization/permissions";
import { ROLES, type Role } from "../../src/features/users/user";
import { ManualClock } from "../../src/platform/clock";
import { newId } from "../../src/platform/ids";
import { cryptoRandom } from "../../src/platform/random";
import { bearer, viaSelf } from "../helpers/accounts";
import { createApiToken, type RoleUser, rootUser, userWithRole } from "../helpers/api-tokens";
import { agentOf, createTenant, tenantSignIn } from "../helpers/tenants";

/**
 * Every route of the app and what it needs: a permission of the catalogue, or "public" (no
 * credential, or a credential of its own such as METRICS_TOKEN). A route added without a row here
 * fails the first test; a row whose route is gone fails it too. Features add their rows when they
 * land.
 */
const ROUTES: Record<string, Permission | "public"> = {
  "GET /healthz": "public",
  "GET /readyz": "public",
  "GET /.well-known/jwks.json": "public",
  "GET /metrics": "public",
  "GET /openapi.json": "public",
  "GET /docs": "public",
  "GET /docs/assets/swagger-ui-dist/swagger-ui-bundle.js": "public",
  "GET /docs/assets/swagger-ui-dist/swagger-ui.css": "public",
  "GET /docs/assets/swagger-init.js": "public",
  "GET /favicon.ico": "public",
  "POST /auth/register": "public",
  "POST /auth/login": "public",
  "POST /auth/refresh": "public",
  "POST /auth/logout": "public",
  "GET /auth/me": "profile:read",
  "POST /auth/password": "password:change",
  "POST /auth/introspect": "auth:introspect",
  "POST /reset-password/request": "public",
  "POST /reset-password/confirm": "public",
  "POST /verification-token/request": "public",
  "POST /verification-token/verify": "public",
  "POST /api/api-tokens/leaked": "public",
  "GET /api/api-tokens/": "api-tokens:read",
  "GET /api-tokens": "api-tokens:read",
  "POST /api/api-tokens/": "api-tokens:create",
  "POST /api-tokens": "api-tokens:create",
  "DELETE /api/api-tokens/{id}/": "api-tokens:revoke",
  "GET /api/users": "users:read",
  "PUT /api/users/{id}/role": "users:role",
  "GET /auth/2fa": "two-factor:read",
  "POST /auth/2fa/setup": "two-factor:manage",
  "POST /auth/2fa/enable": "two-factor:manage",
  "POST /auth/2fa/disable": "two-factor:manage",
  "POST /auth/2fa/recovery-codes": "two-factor:manage",
  "POST /tokens/gerar-codigo/": "two-factor-codes:send",
  "POST /tokens/validar-codigo/": "two-factor-codes:validate",
  // The 2FA page signs in with a password form and holds a page session of its own (cookie + CSRF).
  "GET /tokens/ativar-2fa/": "public",
  "POST /tokens/ativar-2fa/": "public",
  "GET /assets/page.css": "public",
  // The admin console: cookie sessions of its own (password + TOTP), CSRF on every form, and each
  // page checks the same permission as its API route with refusalOf (test/integration/admin/).
  "GET /admin/": "public",
  "GET /admin/entrar": "public",
  "POST /admin/entrar": "public",
  "POST /admin/sair": "public",
  "GET /assets/copy.js": "public",
  "GET /admin/convites": "public",
  "POST /admin/convites": "public",
  "GET /admin/convites/{id}": "public",
  "POST /admin/convites/{id}": "public",
  "GET /admin/codigos": "public",
  "POST /admin/codigos": "public",
  "GET /admin/tokens-de-api": "public",
  "POST /admin/tokens-de-api": "public",
  "GET /admin/usuarios": "public",
  "POST /admin/usuarios": "public",
  "GET /admin/tenants": "public",
  "POST /admin/tenants": "public",
  "GET /admin/tenants/{slug}": "public",
  "POST /admin/tenants/{slug}": "public",
  "POST /admin/tenants/{slug}/papeis": "public",
  "POST /admin/tenants/{slug}/remover": "public",
  "GET /admin/webhooks": "public",
  "POST /admin/webhooks": "public",
  "GET /admin/auditoria": "public",
  "POST /admin/auditoria": "public",
  "GET /admin/uso": "public",
  "GET /api/tokens/": "invites:read",
  "POST /api/tokens/": "invites:create",
  "GET /api/tokens/validate/": "public",
  "POST /api/tokens/validate/": "public",
  "POST /api/tokens/{id}/use/": "invites:use",
  "POST /api/tokens/{codigo_or_id}/revogar/": "invites:revoke",
  "GET /api/tokens/{id}/logs/": "invites:read",
  "GET /api/tokens/tokens/": "invites:read",
  "POST /api/tokens/tokens/": "invites:create",
  "GET /api/tokens/tokens/validate/": "public",
  "POST /api/tokens/tokens/validate/": "public",
  "POST /api/tokens/tokens/{id}/use/": "invites:use",
  "POST /api/tokens/tokens/{codigo_or_id}/revogar/": "invites:revoke",
  "GET /api/tokens/tokens/{id}/logs/": "invites:read",
  "GET /api/audit-logs/": "audit:read",
  "POST /api/audit-logs/verify/": "audit:verify",
  "GET /api/webhooks/deliveries/": "webhooks:read",
  "POST /api/webhooks/deliveries/{event_id}/redeliver/": "webhooks:redeliver",
  "POST /api/tenants": "tenants:create",
  "GET /api/tenants": "tenants:read",
  "GET /api/tenants/{slug}": "tenants:read",
  "PATCH /api/tenants/{slug}": "tenants:update",
  "POST /tenants/{tenant_slug}/login": "public",
  "POST /tenants/{tenant_slug}/mfa/verify": "public",
  "GET /tenants/{tenant_slug}/healthz": "public",
  "GET /tenants/{tenant_slug}/roles": "tenant-roles:read",
  "PUT /tenants/{tenant_slug}/roles/{agent_id}": "tenant-roles:write",
  "DELETE /tenants/{tenant_slug}/roles/{agent_id}": "tenant-roles:write",
};

type Credential = "access token" | `${ApiTokenScope} API token`;
const CREDENTIALS: Credential[] = ["access token", "read API token", "write API token", "admin API token"];

// Written out again here rather than imported, so the test checks the rules instead of repeating them.
const rank = (role: Role) => ROLES.length - ROLES.indexOf(role);
const SCOPE_RANK: Record<ApiTokenScope, number> = { read: 1, write: 2, admin: 3 };

/** Whether the rules of seeds 001 and 003 refuse `credential` of a `role` holder the `permission`. */
function refused(permission: Permission, role: Role, credential: Credential): boolean {
  const rule: PermissionRule = PERMISSIONS[permission];
  if (rank(role) < rank(rule.role)) return true;
  if (credential === "access token") return false;
  if (rule.apiTokens === false) return true;
  const tokenScope = credential.split(" ")[0] as ApiTokenScope;
  // A token never acts above the scope its owner's current role allows (admin: admin and root).
  const ceiling = rank(role) >= rank("admin") ? SCOPE_RANK.admin : SCOPE_RANK.write;
  return Math.min(SCOPE_RANK[tokenScope], ceiling) < SCOPE_RANK[rule.scope];
}

/** Every method and path the app serves, from Hono's own routing table (OpenAPI or not). */
function appRoutes(): string[] {
  const app = buildApp();
  const routes = app.routes
    .filter((route) => route.method !== "ALL")
    .map((route) => `${route.method} ${route.path.replace(/:([A-Za-z_]+)/g, "{$1}")}`);
  return [...new Set(routes)].sort();
}

/** A request for `route` with its path filled in and, for bodies, an empty or harmless JSON body. */
function requestFor(
  route: string,
  credential: string | undefined,
  targets: { userId: string; tenantSlug?: string },
) {
  const [method, template] = route.split(" ") as [string, string];
  const path = template
    .replace("/api/users/{id}/", `/api/users/${targets.userId}/`)
    .replace("{id}", `tok_${"0".repeat(26)}`)
    .replace(/\{(tenant_)?slug\}/, targets.tenantSlug ?? "no-such-tenant")
    .replace("{agent_id}", targets.userId);
  const headers: Record<string, string> = credential ? bearer(credential) : {};
  if (method === "GET" || method === "DELETE") return { path, init: { method, headers } };
  // PUT role: the target's current role again, so an allowed call changes nothing.
  const body = route.startsWith("PUT ") ? { role: "usuario" } : {};
  return {
    path,
    init: { method, headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(body) },
  };
}

describe("permission matrix", () => {
  it("has one row for every route of the app, and no row for a route that is gone", () => {
    expect(appRoutes()).toEqual(Object.keys(ROUTES).sort());
  });

  it("documents each protected route's credentials as its permission allows, and public ones without", () => {
    const app = buildApp();
    for (const definition of app.openAPIRegistry.definitions) {
      if (definition.type !== "route") continue;
      const key = `${definition.route.method.toUpperCase()} ${definition.route.path}`;
      const permission = ROUTES[key];
      expect(permission, key).toBeDefined();
      const security = definition.route.security ?? [];
      if (permission === "public") {
        expect(
          security.some((scheme) => "bearerAuth" in scheme || "apiToken" in scheme),
          key,
        ).toBe(false);
      } else {
        const rule: PermissionRule = PERMISSIONS[permission!];
        const global =
          rule.apiTokens === false ? [{ bearerAuth: [] }] : [{ bearerAuth: [] }, { apiToken: [] }];
        expect(security, key).toEqual(rule.tenantTokens ? [...global, { tenantToken: [] }] : global);
      }
    }
  });

  it("answers public routes without credentials with neither 401 nor 403", async () => {
    const target = await userWithRole(viaSelf, "usuario");
    for (const [route, permission] of Object.entries(ROUTES)) {
      if (permission !== "public") continue;
      const { path, init } = requestFor(route, undefined, target);
      const response = await viaSelf(path, init);
      expect([401, 403], `${route}: ${response.status}`).not.toContain(response.status);
      expect(response.status, route).toBeLessThan(500);
    }
  });

  describe("drives every protected route with every role and credential", () => {
    const callers = new Map<Role, Record<Credential, string>>();
    let target: RoleUser & { tenantSlug: string };

    beforeAll(async () => {
      const root = await rootUser(viaSelf);
      const tenant = await createTenant(viaSelf, root.accessToken);
      target = { ...(await userWithRole(viaSelf, "usuario")), tenantSlug: tenant.slug };
      const tokens = new ApiTokenRepository(createD1Database(env.DB));
      for (const role of ROLES) {
        const user = await userWithRole(viaSelf, role);
        const read = await createApiToken(viaSelf, user.accessToken, { scope: "read" });
        const write = await createApiToken(viaSelf, user.accessToken, { scope: "write" });
        let admin: string;
        if (rank(role) >= rank("admin")) {
          admin = (await createApiToken(viaSelf, user.accessToken, { scope: "admin" })).token;
        } else {
          // Nobody below admin can create one: this is the token of an owner demoted since.
          const generated = await generateApiToken(cryptoRandom);
          const clock = new ManualClock();
          await tokens.insert({
            id: newId("apiToken", clock, cryptoRandom),
            userId: user.userId,
            nome: "from before a demotion",
            descricao: null,
            scope: "admin",
            permissions: null,
            allowedIps: null,
            rateLimit: null,
            tokenHash: generated.hash,
            tokenStart: generated.start,
            createdAt: clock.now(),
            expiresAt: null,
          });
          admin = generated.token;
        }
        callers.set(role, {
          "access token": user.accessToken,
          "read API token": read.token,
          "write API token": write.token,
          "admin API token": admin,
        });
      }
    });

    for (const [route, permission] of Object.entries(ROUTES)) {
      if (permission === "public") continue;
      it(`${route} (${permission})`, async () => {
        const outcomes: string[] = [];
        const expected: string[] = [];
        for (const role of ROLES) {
          for (const credential of CREDENTIALS) {
            const { path, init } = requestFor(route, callers.get(role)![credential], target);
            const response = await viaSelf(path, init);
            const status = response.status;
            expect(status, `${role} with ${credential}: ${await response.text()}`).not.toBe(401);
            expect(status, `${role} with ${credential}`).toBeLessThan(500);
            outcomes.push(`${role} / ${credential}: ${status === 403 ? "refused" : "allowed"}`);
            expected.push(
              `${role} / ${credential}: ${refused(permission, role, credential) ? "refused" : "allowed"}`,
            );
          }
        }
        expect(outcomes).toEqual(expected);
      });
    }
  });
  describe("a tenant access token", () => {
    let own: string;
    let other: string;
    let token: string;
    let target: RoleUser;

    beforeAll(async () => {
      const root = await rootUser(viaSelf);
      own = (await createTenant(viaSelf, root.accessToken)).slug;
      other = (await createTenant(viaSelf, root.accessToken)).slug;
      target = await userWithRole(viaSelf, "usuario");
      // A global root who is its tenant's admin: the token still acts only in its tenant.
      const agent = await agentOf(viaSelf, root.accessToken, own, "admin");
      await env.DB.prepare("UPDATE users SET role = 'root' WHERE id = ?").bind(agent.userId).run();
      token = (await tenantSignIn(viaSelf, own, agent.account.email, agent.account.password)).access_token;
    }, 60_000);

    it("works only on its own tenant's routes: 403 everywhere else, 403 or 404 in another tenant", async () => {
      for (const [route, permission] of Object.entries(ROUTES)) {
        if (permission === "public") continue;
        const rule: PermissionRule = PERMISSIONS[permission];
        const tenantRoute = rule.tenantTokens === true;
        const { path, init } = requestFor(route, token, { ...target, tenantSlug: own });
        const status = (await viaSelf(path, init)).status;
        if (tenantRoute) expect([200, 204, 404], `${route} in its own tenant`).toContain(status);
        else expect(status, route).toBe(403);
        if (tenantRoute) {
          const elsewhere = requestFor(route, token, { ...target, tenantSlug: other });
          expect([403, 404], `${route} in another tenant`).toContain(
            (await viaSelf(elsewhere.path, elsewhere.init)).status,
          );
        }
      }
    });
  });
});
