import type { Config } from "./config";
import { loadConfig } from "./config";
import { createDatabase } from "./db";
import { noSecondFactor } from "./features/accounts/second-factor";
import { type AccountServices, createAccountServices } from "./features/accounts/services";
import { AuditLogRepository } from "./features/audit/repository";
import { AuditService } from "./features/audit/service";
import { Authenticator } from "./features/authorization/authenticator";
import type { QueuedEmail } from "./features/email/message";
import { QueueEmailOutbox } from "./features/email/outbox";
import { HealthService } from "./features/health/service";
import { isolateMetrics, MetricsRecorder } from "./features/metrics/recorder";
import { shardStore } from "./features/metrics/shards";
import { durableRateLimiter, type RateLimiterClient } from "./features/rate-limit/limiter";
import { TenantRepository } from "./features/tenants/repository";
import { UserRepository } from "./features/users/repository";
import { BackgroundTasks } from "./platform/background";
import { type ClientInfo, NO_CLIENT } from "./platform/client-info";
import type { PlatformDeps } from "./platform/deps";
import { hexEncode } from "./platform/encoding";
import { JwtService } from "./platform/jwt";
import type { Logger } from "./platform/logger";
import { PasswordHasher } from "./platform/password";
import { SecretBox } from "./platform/secret-box";
import type { Shared } from "./shared";

/** The identity of the work services are built for: a request, a queue batch or a cron run. */
export interface WorkContext {
  /** The service's own id of the work. */
  requestId: string;
  /** The client's `X-Request-Id`, kept beside the service's own in audit rows. */
  clientRequestId?: string;
  traceId: string;
  client: ClientInfo;
}

/** A context for work no client started (queue batches, cron runs): fresh ids, no client. */
export function backgroundContext(deps: PlatformDeps): WorkContext {
  return {
    requestId: `req_${hexEncode(deps.random.bytes(12))}`,
    traceId: hexEncode(deps.random.bytes(16)),
    client: NO_CLIENT,
  };
}

/**
 * The shared layer every feature is built from. No module-level database or binding singletons:
 * everything here is made from `env` for one piece of work (cheap: configuration, JWT keys and
 * metric buffers are cached per isolate by their own modules).
 */
export function createShared(env: Env, deps: PlatformDeps, logger: Logger, work: WorkContext): Shared {
  const config = loadConfig(env);
  const db = createDatabase(env, config);
  const { clock, random } = deps;
  const secretBoxes: Shared["secretBoxes"] = {
    totp: () => SecretBox.fromKeys(config.encryption.totp.current, config.encryption.totp.previous, random),
    data: () => SecretBox.fromKeys(config.encryption.data.current, config.encryption.data.previous, random),
  };
  return {
    config,
    logger,
    client: work.client,
    clock,
    random,
    db,
    jwt: new JwtService(
      {
        issuer: config.jwt.issuer,
        audience: config.jwt.audience,
        privateKeyPem: config.jwt.privateKeyPem,
        previousPublicKeysPem: config.jwt.previousPublicKeysPem,
      },
      clock,
    ),
    passwords: new PasswordHasher(config.passwordHash, random),
    users: new UserRepository(db),
    tenants: new TenantRepository(db, clock, random),
    audit: new AuditService(new AuditLogRepository(db), clock, random, {
      requestId: work.requestId,
      clientRequestId: work.clientRequestId,
      client: work.client,
    }),
    email: new QueueEmailOutbox(env.EMAIL_QUEUE as Queue<QueuedEmail>, work, clock, random, secretBoxes.data),
    metrics: new MetricsRecorder(isolateMetrics, shardStore(env.METRICS_SHARD, config.metrics.shards), {
      shards: config.metrics.shards,
      flushDelayMs: config.metrics.flushDelayMs,
      clock,
      random,
      logger,
    }),
    background: new BackgroundTasks(logger),
    rateLimiter: durableRateLimiter(env.RATE_LIMITER, clock),
    secretBoxes,
  };
}

/**
 * What routes and middleware work with: one namespace per feature (`services.accounts.sessions`,
 * later `services.invites`, `services.twoFactor`) plus the few cross-cutting services middleware
 * needs. Never `env`, the database or a repository: those stay behind the feature services.
 */
export interface Services {
  config: Config;
  logger: Logger;
  background: BackgroundTasks;
  rateLimiter: RateLimiterClient;
  /** Recording, plus `scrape()` for `GET /metrics`. */
  metrics: MetricsRecorder;
  /** The JWKS of the service's signing keys. */
  keys: Pick<JwtService, "jwks">;
  health: HealthService;
  /** Bearer credential → principal, for the `authenticate()` middleware. */
  authentication: Authenticator;
  accounts: AccountServices;
}

/**
 * The composition root: builds every feature's services from the shared layer. The one way
 * services are built, per request by `requestContext`; queue batches and cron runs use
 * `createShared` and build only what their consumer needs.
 */
export function createServices(shared: Shared): Services {
  const accounts = createAccountServices(shared, noSecondFactor);
  return {
    config: shared.config,
    logger: shared.logger,
    background: shared.background,
    rateLimiter: shared.rateLimiter,
    metrics: shared.metrics,
    keys: shared.jwt,
    health: new HealthService(shared.db, shared.config, shared.logger),
    authentication: new Authenticator(accounts.sessions),
    accounts,
  };
}
