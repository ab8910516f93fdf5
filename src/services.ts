import type { Config } from "./config";
import { loadConfig } from "./config";
import { createDatabase, type Database } from "./db";
import { type AccountServices, createAccountServices } from "./features/accounts/services";
import { type AdminServices, createAdminServices } from "./features/admin/services";
import { type ApiTokenServices, createApiTokenServices } from "./features/api-tokens/services";
import { AuditChainRepository } from "./features/audit/chain-repository";
import { AuditChain } from "./features/audit/chain-service";
import { AuditLogService } from "./features/audit/log-service";
import { AuditLogRepository } from "./features/audit/repository";
import { AuditService } from "./features/audit/service";
import { Authenticator } from "./features/authorization/authenticator";
import { CredentialCache, isolateCredentialCaches } from "./features/authorization/credential-cache";
import type { QueuedEmail } from "./features/email/message";
import { QueueEmailOutbox } from "./features/email/outbox";
import { HealthService } from "./features/health/service";
import { durableInviteQuota } from "./features/invites/quota";
import { createInviteServices, type InviteServices } from "./features/invites/services";
import { isolateMetrics, MetricsRecorder } from "./features/metrics/recorder";
import { shardStore } from "./features/metrics/shards";
import { durableRateLimiter, type RateLimiterClient } from "./features/rate-limit/limiter";
import { TenantRepository } from "./features/tenants/repository";
import { createTenantServices, type TenantServices } from "./features/tenants/services";
import { createTwoFactorServices, type TwoFactorServices } from "./features/two-factor/services";
import { UserAdminService } from "./features/users/admin-service";
import { UserRepository } from "./features/users/repository";
import { createWebServices, type WebServices } from "./features/web/services";
import { WebhookAdminService } from "./features/webhooks/admin-service";
import { WebhookDeliveryRepository } from "./features/webhooks/deliveries";
import type { WebhookMessage } from "./features/webhooks/events";
import { QueueWebhookOutbox } from "./features/webhooks/outbox";
import { secretBoxCipher } from "./features/webhooks/secret-box-cipher";
import { BackgroundTasks } from "./platform/background";
import { type ClientInfo, NO_CLIENT } from "./platform/client-info";
import type { PlatformDeps } from "./platform/deps";
import { hexEncode } from "./platform/encoding";
import { JwtService } from "./platform/jwt";
import type { Logger } from "./platform/logger";
import { minArgon2Params, PasswordHasher } from "./platform/password";
import { instrument, type ProfilePart, type Profiler } from "./platform/profiler";
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
  /** Set in profile mode only (`PROFILE=on`): the ports below are then timed into it. */
  profiler?: Profiler;
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
  const { profiler } = work;
  // Profile mode wraps the ports in timers; otherwise they are used as they are, at no cost.
  const timed = <T extends object>(target: T, parts: Partial<Record<keyof T, ProfilePart>>): T =>
    profiler ? instrument(target, profiler, parts) : target;
  const storage = createDatabase(env, config);
  const db = timed(storage, databaseParts("d1"));
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
    jwt: timed(
      new JwtService(
        {
          issuer: config.jwt.issuer,
          audience: config.jwt.audience,
          privateKeyPem: config.jwt.privateKeyPem,
          previousPublicKeysPem: config.jwt.previousPublicKeysPem,
        },
        clock,
      ),
      { sign: "rsa-sign", verify: "rsa-verify" },
    ),
    passwords: timed(new PasswordHasher(config.passwordHash, random, minArgon2Params(config.environment)), {
      hash: "argon2",
      verify: "argon2",
    }),
    users: new UserRepository(db),
    tenants: new TenantRepository(db, clock, random),
    // Audit writes on a storage handle of their own, so the profile tells them from other reads.
    audit: new AuditService(new AuditLogRepository(timed(storage, databaseParts("audit"))), clock, random, {
      requestId: work.requestId,
      clientRequestId: work.clientRequestId,
      client: work.client,
    }),
    email: new QueueEmailOutbox(env.EMAIL_QUEUE as Queue<QueuedEmail>, work, clock, random, secretBoxes.data),
    metrics: timed(
      new MetricsRecorder(isolateMetrics, shardStore(env.METRICS_SHARD, config.metrics.shards), {
        shards: config.metrics.shards,
        flushDelayMs: config.metrics.flushDelayMs,
        clock,
        random,
        logger,
      }),
      { increment: "metrics", observe: "metrics" },
    ),
    background: new BackgroundTasks(logger),
    rateLimiter: timed(durableRateLimiter(env.RATE_LIMITER, clock), {
      check: "rate-limit",
      refund: "rate-limit",
    }),
    credentials: new CredentialCache(isolateCredentialCaches, clock, config.authCacheSeconds * 1000),
    inviteQuota: timed(durableInviteQuota(env.INVITE_QUOTA, clock), {
      reserve: "durable-object",
      release: "durable-object",
    }),
    webhooks: new QueueWebhookOutbox(
      env.WEBHOOK_QUEUE as Queue<WebhookMessage>,
      config.webhooks.url,
      work,
      clock,
      random,
      async () => secretBoxCipher(await secretBoxes.data()),
    ),
    secretBoxes,
  };
}

/** Every storage call of a `Database`, timed as `part`. */
function databaseParts(part: ProfilePart): Partial<Record<keyof Database, ProfilePart>> {
  return { all: part, first: part, run: part, atomic: part, ping: part };
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
  apiTokens: ApiTokenServices;
  /** The admin user routes: list, role changes. */
  users: UserAdminService;
  twoFactor: TwoFactorServices;
  /** Server-rendered pages: cookie sessions and CSRF tokens. */
  web: WebServices;
  invites: InviteServices;
  /** `/api/tenants` and the tenant routes `/tenants/{slug}/…`. */
  tenants: TenantServices;
  /** `GET /api/audit-logs/` and the hash-chain check. */
  auditLogs: AuditLogService;
  /** The webhook delivery log and redelivery (admins). */
  webhooks: WebhookAdminService;
  /** The admin console's own reads (usage per day, users' activity) and its sign-in refusals. */
  admin: AdminServices;
}

/**
 * The composition root: builds every feature's services from the shared layer. The one way
 * services are built, per request by `requestContext`; queue batches and cron runs use
 * `createShared` and build only what their consumer needs.
 */
export function createServices(shared: Shared): Services {
  const twoFactor = createTwoFactorServices(shared);
  const accounts = createAccountServices(shared, twoFactor.verifier);
  const apiTokens = createApiTokenServices(shared);
  const tenants = createTenantServices(shared, twoFactor);
  return {
    config: shared.config,
    logger: shared.logger,
    background: shared.background,
    rateLimiter: shared.rateLimiter,
    metrics: shared.metrics,
    keys: shared.jwt,
    health: new HealthService(shared.db, shared.config, shared.logger),
    authentication: new Authenticator(accounts.sessions, apiTokens.authenticator, tenants.tokens),
    accounts,
    apiTokens,
    users: new UserAdminService(shared),
    twoFactor,
    web: createWebServices(shared),
    invites: createInviteServices(shared),
    tenants,
    auditLogs: new AuditLogService(
      new AuditLogRepository(shared.db),
      new AuditChain(new AuditChainRepository(shared.db), shared.clock, shared.logger),
    ),
    webhooks: new WebhookAdminService({ ...shared, deliveries: new WebhookDeliveryRepository(shared.db) }),
    admin: createAdminServices(shared),
  };
}
