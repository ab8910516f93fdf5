import { createRoute, z } from "@hono/zod-openapi";
import { type App, JSON_BODY_PROBLEMS, type JsonResponseOf, problemResponses } from "../../../http/openapi";
import { authenticate, authorize } from "../../authorization/middleware";
import { securityFor } from "../../authorization/security";
import { RoleSchema, UserIdParam, UserSummarySchema } from "../schemas";

const SetRoleBody = z.object({ role: RoleSchema }).openapi("SetRoleRequest");

export const setRoleRoute = createRoute({
  method: "put",
  path: "/api/users/{id}/role",
  operationId: "setUserRole",
  tags: ["Users"],
  summary: "Change a user's global role (admin and root)",
  description:
    "Nobody changes their own role (403), grants a role above their own or changes the role of someone above them (403); the last active root cannot be demoted (409). A demotion takes effect at once: the user's API tokens act with the new role on their next request, and the user's access tokens issued so far are refused, so the next refresh carries the new `roles` claim. A promotion applies at once here and reaches the token claims at the next refresh. Setting the current role again changes nothing.",
  security: securityFor("users:role"),
  middleware: [authenticate(), authorize("users:role")] as const,
  request: {
    params: UserIdParam,
    body: { required: true, content: { "application/json": { schema: SetRoleBody } } },
  },
  responses: {
    200: {
      description: "The user with the new role",
      content: { "application/json": { schema: UserSummarySchema } },
    },
    ...problemResponses(...JSON_BODY_PROBLEMS, 401, 403, 404, 409, 429),
  },
});

export type SetRoleResponse = JsonResponseOf<typeof setRoleRoute>;

export function registerSetRole(app: App): void {
  app.openapi(setRoleRoute, async (c) => {
    const user = await c
      .get("services")
      .users.changeRole(c.var.principal, c.req.valid("param").id, c.req.valid("json").role);
    return c.json(user, 200);
  });
}
