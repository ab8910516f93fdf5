import type { App } from "../../http/openapi";
import { registerListUsers } from "./routes/list-users";
import { registerSetRole } from "./routes/set-role";

/** The admin user routes: `GET /api/users`, `PUT /api/users/{id}/role`. */
export function registerUserRoutes(app: App): void {
  registerListUsers(app);
  registerSetRole(app);
}
