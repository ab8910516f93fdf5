import type { App } from "../../http/openapi";
import { registerCreateInvite } from "./routes/create";
import { registerListInvites } from "./routes/list";
import { registerInviteLogs } from "./routes/logs";
import { registerRevokeInvite } from "./routes/revoke";
import { registerUseInvite } from "./routes/use";
import { registerValidateInviteByBody } from "./routes/validate-body";
import { registerValidateInviteByQuery } from "./routes/validate-query";

/** Every invite route, under `/api/tokens/…` and its alias `/api/tokens/tokens/…`. */
export function registerInviteRoutes(app: App): void {
  registerValidateInviteByQuery(app);
  registerValidateInviteByBody(app);
  registerCreateInvite(app);
  registerListInvites(app);
  registerUseInvite(app);
  registerRevokeInvite(app);
  registerInviteLogs(app);
}
