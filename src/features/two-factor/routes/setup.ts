import { createRoute, z } from "@hono/zod-openapi";
import { type App, type JsonResponseOf, problemResponses } from "../../../http/openapi";
import { authenticate, authorize } from "../../authorization/middleware";
import { securityFor } from "../../authorization/security";

/** `POST /auth/2fa/setup`: validation, middleware and responses, also its OpenAPI operation. */
export const twoFactorSetupRoute = createRoute({
  method: "post",
  path: "/auth/2fa/setup",
  operationId: "setupTwoFactor",
  tags: ["Two-factor"],
  summary: "Start TOTP setup: a new secret for the authenticator app",
  description:
    "A fresh 160-bit secret (RFC 6238: SHA-1, 6 digits, 30 s), kept encrypted as pending until POST /auth/2fa/enable confirms a code; calling it again replaces the pending secret. 409 while two-factor is on (disable it first).",
  security: securityFor("two-factor:manage"),
  middleware: [authenticate(), authorize("two-factor:manage")] as const,
  responses: {
    200: {
      description: "Scan the QR code (or type the secret) into an authenticator app",
      content: {
        "application/json": {
          schema: z
            .object({
              secret: z.string().openapi({
                description: "Base32 (RFC 4648), 32 characters",
                example: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
              }),
              otpauthUrl: z.string().openapi({
                description: "The key URI (issuer `APP_NAME`, the account's e-mail)",
                example:
                  "otpauth://totp/Edge%20Auth:maria%40example.com?issuer=Edge%20Auth&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30",
              }),
              qrSvg: z
                .string()
                .openapi({ description: "The key URI as a QR code: an SVG document made by the Worker" }),
            })
            .openapi("TwoFactorSetup"),
        },
      },
    },
    ...problemResponses(401, 403, 409, 429),
  },
});

/** The success body, as the route declares it (tests use it). */
export type TwoFactorSetupResponse = JsonResponseOf<typeof twoFactorSetupRoute>;

/** Registers `POST /auth/2fa/setup` on the app. */
export function registerTwoFactorSetup(app: App): void {
  app.openapi(twoFactorSetupRoute, async (c) => {
    const { twoFactor } = c.get("services");
    const setup = await twoFactor.enrolment.setup(await twoFactor.userOf(c.var.principal));
    c.header("cache-control", "no-store");
    return c.json(setup, 200);
  });
}
