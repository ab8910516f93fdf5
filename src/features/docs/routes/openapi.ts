import type { App } from "../../../http/openapi";
import { SECURITY_SCHEMES } from "../../authorization/security";

/**
 * The project grants no licence (package.json is private and names none); an SPDX `LicenseRef-`
 * says so in a form OpenAPI 3.1 and linters accept, until the owner picks a licence.
 */
const LICENSE = { name: "Proprietary: all rights reserved", identifier: "LicenseRef-Proprietary" };

/**
 * `GET /openapi.json`: OpenAPI 3.1 generated from the route definitions; nothing written twice.
 * `servers` lists the origin that served the document first (what Swagger UI's "Try it out" and
 * generated clients use by default) and a relative "/" second, for a copy reached through a proxy or
 * tunnel that rewrites the host: there, the Worker sees an origin the browser cannot reach.
 */
export function registerOpenApi(app: App): void {
  for (const [name, scheme] of Object.entries(SECURITY_SCHEMES)) {
    app.openAPIRegistry.registerComponent("securitySchemes", name, scheme);
  }
  app.doc31("/openapi.json", (c) => ({
    openapi: "3.1.0",
    info: {
      title: "Edge Auth",
      version: "0.1.0",
      description:
        "Accounts, sessions, two-factor, invites, API tokens and tenants at the edge. Errors are application/problem+json (RFC 9457).",
      license: LICENSE,
    },
    servers: [
      {
        url: new URL(c.req.url).origin,
        description: "This deployment: the origin that served this document",
      },
      { url: "/", description: "Relative to where this document was loaded from" },
    ],
    tags: [
      { name: "Health", description: "Liveness and readiness" },
      { name: "Keys", description: "Public keys for verifying tokens" },
      {
        name: "Auth",
        description: "Registration, login, sessions (refresh-token rotation) and introspection",
      },
      { name: "Password reset", description: "Forgotten passwords, by e-mailed single-use token" },
      { name: "Verification", description: "E-mail address verification, by e-mailed single-use token" },
      {
        name: "API tokens",
        description:
          "Long-lived tokens acting for their owner, limited by scope (read, write, admin), optional permissions, IP allow-list and rate limit",
      },
      { name: "Users", description: "Users and their global roles (admin and root)" },
      {
        name: "Two-factor",
        description:
          "TOTP (RFC 6238) and e-mailed codes as a second factor, single-use recovery codes, and seed 000's temporary codes (gerar-codigo / validar-codigo). The web page /tokens/ativar-2fa/ (HTML, not in this document) turns TOTP on without an API client.",
      },
      {
        name: "Tenants",
        description:
          "Tenants (the organisations of invites and the `institutions` claim): global admins manage them",
      },
      {
        name: "Tenant sessions",
        description:
          "Agents sign in to one tenant (seed 004): a tenant access token (`typ: tenant+jwt`), with a second factor when the agent or the tenant needs one",
      },
      {
        name: "Tenant roles",
        description:
          "Agents' roles inside one tenant (admin > gestor > usuario); a tenant never sees another's",
      },
    ],
  }));
}
