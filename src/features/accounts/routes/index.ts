import type { App } from "../../../platform/openapi";
import { registerIntrospect } from "./introspect";
import { registerLogin } from "./login";
import { registerLogout } from "./logout";
import { registerMe } from "./me";
import { registerRefresh } from "./refresh";
import { registerRegister } from "./register";
import { registerResetPasswordConfirm } from "./reset-password-confirm";
import { registerResetPasswordRequest } from "./reset-password-request";
import { registerVerificationTokenRequest } from "./verification-token-request";
import { registerVerificationTokenVerify } from "./verification-token-verify";

/** Every route of accounts and sessions: /auth/*, /reset-password/*, /verification-token/*. */
export function registerAccountRoutes(app: App): void {
  registerRegister(app);
  registerLogin(app);
  registerRefresh(app);
  registerLogout(app);
  registerMe(app);
  registerIntrospect(app);
  registerResetPasswordRequest(app);
  registerResetPasswordConfirm(app);
  registerVerificationTokenRequest(app);
  registerVerificationTokenVerify(app);
}
