import { type Config, loadConfig } from "./config";
import { createDatabase, type Database } from "./db";
import { type AccountServices, createAccountServices } from "./features/accounts/services";
import { AuditLogRepository } from "./features/audit/repository";
import { AuditService } from "./features/audit/service";
import { EmailDeliveryRepository } from "./features/email/delivery-repository";
import type { EmailMessage, EmailOutbox } from "./features/email/message";
import { type OutboxTrace, QueueEmailOutbox } from "./features/email/outbox";
import { EmailSender } from "./features/email/sender";
import { createEmailTransport } from "./features/email/transports/create-transport";
import { isolateMetrics, MetricsRecorder } from "./features/metrics/recorder";
import { shardSink } from "./features/metrics/shards";
import { durableRateLimiter, type RateLimiterClient } from "./features/rate-limit/limiter";
import { InstitutionRepository } from "./features/tenants/repository";
import { UserRepository } from "./features/users/repository";
import { BackgroundTasks } from "./platform/background";
import { type Clock, systemClock } from "./platform/clock";
import { JwtService } from "./platform/jwt";
import type { Logger } from "./platform/logger";
import { PasswordHasher } from "./platform/password";
import { cryptoRandom, type RandomSource } from "./platform/random";
import { traceContextFrom } from "./platform/trace";

/** What the platform injects: time and randomness. Tests replace them; production never does. */
export interface PlatformDeps {
  clock: Clock;
  random: RandomSource;
}

export const defaultPlatformDeps: PlatformDeps = { clock: systemClock, random: cryptoRandom };

/** Everything a request, a queue batch or a cron run works with, built fresh from `env`. */
export interface Services extends PlatformDeps, AccountServices {
  env: Env;
  config: Config;
  logger: Logger;
  db: Database;
  jwt: JwtService;
  passwords: PasswordHasher;
  users: UserRepository;
  /** Work that outlives the response; the request middleware waits for it before closing the database. */
  background: BackgroundTasks;
  audit: AuditService;
  email: EmailOutbox;
  institutions: InstitutionRepository;
  /** Renders and sends queued e-mails (the e-mail Queue consumer's side; features enqueue). */
  emailSender: EmailSender;
  /** Counters and histograms of `METRICS`, e.g. `metrics.increment("tokens_invites_created_total")`. */
  metrics: MetricsRecorder;
  /** Used by the `rateLimit(policy)` middleware. */
  rateLimiter: RateLimiterClient;
}

/**
 * The one way services are built: per request by the `services` middleware, per batch by the queue
 * handler, per run by the cron handler. No module-level database or binding singletons. `trace`
 * is the request's (or the queue message's) identity that audit rows and queued e-mails carry; a
 * fresh one is made when there is none.
 */
export function createServices(
  env: Env,
  deps: PlatformDeps,
  logger: Logger,
  trace: OutboxTrace = traceContextFrom(new Headers(), deps.random),
): Services {
  const config = loadConfig(env);
  const db = createDatabase(env, config);
  const { clock, random } = deps;
  const jwt = new JwtService(
    {
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      privateKeyPem: config.jwt.privateKeyPem,
      previousPublicKeysPem: config.jwt.previousPublicKeysPem,
    },
    clock,
  );
  const passwords = new PasswordHasher(config.passwordHash, random);
  const users = new UserRepository(db);
  const background = new BackgroundTasks(logger);
  const audit = new AuditService(new AuditLogRepository(db), clock, random, trace.requestId);
  const email = new QueueEmailOutbox(env.EMAIL_QUEUE as Queue<EmailMessage>, trace, clock, random);
  const institutions = new InstitutionRepository(db, clock, random);
  const metrics = new MetricsRecorder(isolateMetrics, shardSink(env.METRICS_SHARD), {
    shards: config.metrics.shards,
    flushDelayMs: config.metrics.flushDelayMs,
    clock,
    random,
    logger,
  });
  const shared = {
    env,
    config,
    logger,
    db,
    jwt,
    passwords,
    users,
    background,
    audit,
    email,
    institutions,
    metrics,
  };
  return {
    ...deps,
    ...shared,
    ...createAccountServices({ ...shared, clock, random }),
    emailSender: new EmailSender({
      transport: createEmailTransport(config, env, db, deps, logger),
      deliveries: new EmailDeliveryRepository(db),
      from: config.mail.from,
      templates: { appName: config.app.name, baseUrl: config.app.baseUrl },
      clock,
      logger,
    }),
    rateLimiter: durableRateLimiter(env.RATE_LIMITER, clock),
  };
}
