import { loadConfig } from "./config";
import { registerAccountRoutes } from "./features/accounts/routes";
import { CONSOLE_ROOT } from "./features/admin/paths";
import { registerAdminConsole } from "./features/admin/routes";
import { registerApiTokenRoutes } from "./features/api-tokens/routes";
import { registerAuditRoutes } from "./features/audit/routes";
import { registerDocs } from "./features/docs/routes/docs";
import { registerOpenApi } from "./features/docs/routes/openapi";
import { registerHealthz } from "./features/health/routes/healthz";
import { registerReadyz } from "./features/health/routes/readyz";
import { registerInviteRoutes } from "./features/invites/routes";
import { registerJwks } from "./features/keys/routes/jwks";
import { httpMetrics } from "./features/metrics/http-metrics";
import { registerMetrics } from "./features/metrics/routes/metrics";
import { registerTenantRoutes } from "./features/tenants/routes";
import { registerActivationPage } from "./features/two-factor/pages/activation-page";
import { ACTIVATION_PAGE_PATH } from "./features/two-factor/pages/views";
import { registerTwoFactorRoutes } from "./features/two-factor/routes";
import { registerUserRoutes } from "./features/users/routes";
import { registerWebAssets } from "./features/web/routes/assets";
import { registerWebhookRoutes } from "./features/webhooks/routes";
import { notFound, onError } from "./http/error-handler";
import { jsonBody } from "./http/json-body";
import { type App, createApp } from "./http/openapi";
import { requestContext } from "./http/request-context";
import { securityHeaders } from "./http/security-headers";
import { refuseWorkersDevHost } from "./http/workers-dev-host";
import { defaultPlatformDeps, type PlatformDeps } from "./platform/deps";

/**
 * Builds the HTTP app: platform middleware, error rendering, every feature's routes, the OpenAPI
 * document and Swagger UI. Tests pass their own clock/random through `deps`.
 */
export function buildApp(deps: PlatformDeps = defaultPlatformDeps): App {
  const app = createApp();
  app.onError(onError);
  app.notFound(notFound);
  app.use("*", requestContext(deps));
  app.use("*", refuseWorkersDevHost());
  app.use("*", securityHeaders());
  app.use("*", httpMetrics());
  app.use(
    "*",
    jsonBody((env) => loadConfig(env).maxBodyBytes, {
      formPaths: [ACTIVATION_PAGE_PATH],
      formPrefixes: [CONSOLE_ROOT],
    }),
  );

  registerHealthz(app);
  registerReadyz(app);
  registerJwks(app);
  registerAccountRoutes(app);
  registerApiTokenRoutes(app);
  registerUserRoutes(app);
  registerTwoFactorRoutes(app);
  registerWebAssets(app);
  registerActivationPage(app);
  registerAdminConsole(app);
  registerInviteRoutes(app);
  registerTenantRoutes(app);
  registerAuditRoutes(app);
  registerWebhookRoutes(app);
  registerMetrics(app);

  registerOpenApi(app);
  registerDocs(app);
  return app;
}
