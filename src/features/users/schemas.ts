import { z } from "@hono/zod-openapi";
import { ROLES, USER_STATUSES } from "./user";

/** Schemas of the admin user routes (camelCase, like `GET /auth/me`). */

export const RoleSchema = z
  .enum(ROLES)
  .openapi({ description: "root > admin > gestor > usuario", example: "gestor" });

export const UserSummarySchema = z
  .object({
    id: z.string().openapi({ example: "usr_06h0j4mzd049b7r6qr1w6tgk9w" }),
    username: z.string(),
    email: z.string(),
    name: z.string(),
    role: RoleSchema,
    status: z.enum(USER_STATUSES),
    emailVerified: z.boolean(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("UserSummary");

export const UserIdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(40)
    .openapi({ param: { name: "id", in: "path" }, example: "usr_06h0j4mzd049b7r6qr1w6tgk9w" }),
});
