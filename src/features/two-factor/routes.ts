import type { App } from "../../http/openapi";
import { registerTwoFactorDisable } from "./routes/disable";
import { registerTwoFactorEnable } from "./routes/enable";
import { registerGenerateCode } from "./routes/generate-code";
import { registerRecoveryCodes } from "./routes/recovery-codes";
import { registerTwoFactorSetup } from "./routes/setup";
import { registerTwoFactorStatus } from "./routes/status";
import { registerValidateCode } from "./routes/validate-code";

/** Every JSON route of two-factor: /auth/2fa/*, /tokens/gerar-codigo/, /tokens/validar-codigo/. */
export function registerTwoFactorRoutes(app: App): void {
  registerTwoFactorStatus(app);
  registerTwoFactorSetup(app);
  registerTwoFactorEnable(app);
  registerTwoFactorDisable(app);
  registerRecoveryCodes(app);
  registerGenerateCode(app);
  registerValidateCode(app);
}
