import { createRoute, z } from "@hono/zod-openapi";
import { type App, type JsonResponseOf, problemResponses } from "../../../http/openapi";
import { authenticate, authorize } from "../../authorization/middleware";
import { securityFor } from "../../authorization/security";
import { RoleSchema, UserSummarySchema } from "../schemas";
import { USER_STATUSES } from "../user";

const ListUsersQuery = z.object({
  role: RoleSchema.optional(),
  status: z.enum(USER_STATUSES).optional(),
  q: z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(100, "must be at most 100 characters")
    .optional()
    .openapi({ description: "Part of the username or e-mail, case-insensitive", example: "maria" }),
  cursor: z.string().max(64).optional().openapi({ description: "`nextCursor` of the previous page" }),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const listUsersRoute = createRoute({
  method: "get",
  path: "/api/users",
  operationId: "listUsers",
  tags: ["Users"],
  summary: "List users (admin and root), newest first, with filters and a cursor",
  security: securityFor("users:read"),
  middleware: [authenticate(), authorize("users:read")] as const,
  request: { query: ListUsersQuery },
  responses: {
    200: {
      description: "One page of users",
      content: {
        "application/json": {
          schema: z
            .object({ users: z.array(UserSummarySchema), nextCursor: z.string().nullable() })
            .openapi("UserPage"),
        },
      },
    },
    ...problemResponses(400, 401, 403, 429),
  },
});

export type ListUsersResponse = JsonResponseOf<typeof listUsersRoute>;

export function registerListUsers(app: App): void {
  app.openapi(listUsersRoute, async (c) => {
    const { role, status, q, cursor, limit } = c.req.valid("query");
    const page = await c.get("services").users.list({ role, status, query: q }, { cursor, limit });
    c.header("cache-control", "no-store");
    return c.json(page, 200);
  });
}
