import type { App } from "../../../http/openapi";

/** `GET /openapi.json`: OpenAPI 3.1 generated from the route definitions; nothing written twice. */
export function registerOpenApi(app: App): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "An access token (RS256 JWT) or an API token",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Edge Auth",
      version: "0.1.0",
      description:
        "Accounts, sessions, two-factor, invites, API tokens and tenants at the edge. Errors are application/problem+json (RFC 9457).",
    },
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
        name: "Two-factor",
        description:
          "TOTP (RFC 6238) and e-mailed codes as a second factor, single-use recovery codes, and seed 000's temporary codes (gerar-codigo / validar-codigo). The web page /tokens/ativar-2fa/ (HTML, not in this document) turns TOTP on without an API client.",
      },
    ],
  });
}
