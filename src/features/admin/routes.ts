import type { App } from "../../http/openapi";
import { CONSOLE_CONTENT_SECURITY_POLICY, pageHeaders } from "../web/page-headers";
import copyScript from "./assets/copy.js";
import { COPY_SCRIPT_PATH } from "./assets-paths";
import { registerApiTokenPages } from "./pages/api-tokens";
import { registerAuditPages } from "./pages/audit";
import { registerInvitePages } from "./pages/invites";
import { registerSignIn } from "./pages/sign-in";
import { registerTenantPages } from "./pages/tenants";
import { registerUsagePage } from "./pages/usage";
import { registerUserCodePages } from "./pages/user-codes";
import { registerUserPages } from "./pages/users";
import { registerWebhookPages } from "./pages/webhooks";

/**
 * The admin console under `/admin/` (seed 000's "telas internas"): server-rendered pages with the
 * pages' strict headers (plus the Worker's own script for the copy button) and its one script.
 */
export function registerAdminConsole(app: App): void {
  app.use("/admin/*", pageHeaders(CONSOLE_CONTENT_SECURITY_POLICY));
  app.get(COPY_SCRIPT_PATH, (c) =>
    c.body(copyScript, 200, {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": "public, max-age=3600",
      "x-content-type-options": "nosniff",
    }),
  );
  registerSignIn(app);
  registerInvitePages(app);
  registerUserCodePages(app);
  registerApiTokenPages(app);
  registerUserPages(app);
  registerTenantPages(app);
  registerUsagePage(app);
  registerWebhookPages(app);
  registerAuditPages(app);
}
