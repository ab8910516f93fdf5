import { createRoute, z } from "@hono/zod-openapi";
import { type App, type JsonResponseOf, problemResponses } from "../../../http/openapi";
import { authenticate, authorize } from "../../authorization/middleware";
import { securityFor } from "../../authorization/security";
import { TwoFactorMethodSchema } from "../schemas";

/** `GET /auth/2fa`: validation, middleware and responses, also its OpenAPI operation. */
export const twoFactorStatusRoute = createRoute({
  method: "get",
  path: "/auth/2fa",
  operationId: "getTwoFactorStatus",
  tags: ["Two-factor"],
  summary: "Whether the signed-in user has two-factor on, and how",
  security: securityFor("two-factor:read"),
  middleware: [authenticate(), authorize("two-factor:read")] as const,
  responses: {
    200: {
      description: "The caller's two-factor state (never a secret)",
      content: {
        "application/json": {
          schema: z
            .object({
              enabled: z.boolean(),
              method: TwoFactorMethodSchema.nullable(),
              enabledAt: z.iso.datetime().nullable(),
              pendingSetup: z.boolean().openapi({ description: "A TOTP setup waits for its first code" }),
              recoveryCodesLeft: z.number().int().min(0),
            })
            .openapi("TwoFactorStatus"),
        },
      },
    },
    ...problemResponses(401, 403, 429),
  },
});

/** The success body, as the route declares it (tests use it). */
export type TwoFactorStatusResponse = JsonResponseOf<typeof twoFactorStatusRoute>;

/** Registers `GET /auth/2fa` on the app. */
export function registerTwoFactorStatus(app: App): void {
  app.openapi(twoFactorStatusRoute, async (c) => {
    const status = await c.get("services").twoFactor.enrolment.status(c.var.principal.userId);
    c.header("cache-control", "no-store");
    return c.json({ ...status, enabledAt: status.enabledAt?.toISOString() ?? null }, 200);
  });
}
