import type { App } from "../../http/openapi";
import { registerChangePassword } from "./password-change/routes/change";
import { registerResetPasswordConfirm } from "./password-reset/routes/confirm";
import { registerResetPasswordRequest } from "./password-reset/routes/request";
import { registerRegister } from "./registration/routes/register";
import { registerIntrospect } from "./sessions/routes/introspect";
import { registerLogin } from "./sessions/routes/login";
import { registerLogout } from "./sessions/routes/logout";
import { registerMe } from "./sessions/routes/me";
import { registerRefresh } from "./sessions/routes/refresh";
import { registerVerificationTokenRequest } from "./verification/routes/request";
import { registerVerificationTokenVerify } from "./verification/routes/verify";

/** Every route of accounts and sessions: /auth/* (password change included), /reset-password/*, /verification-token/*. */
export function registerAccountRoutes(app: App): void {
  registerRegister(app);
  registerLogin(app);
  registerRefresh(app);
  registerLogout(app);
  registerMe(app);
  registerIntrospect(app);
  registerChangePassword(app);
  registerResetPasswordRequest(app);
  registerResetPasswordConfirm(app);
  registerVerificationTokenRequest(app);
  registerVerificationTokenVerify(app);
}
