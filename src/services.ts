import { type Config, loadConfig } from "./config";
import { createDatabase, type Database } from "./db";
import { isolateMetrics, MetricsRecorder } from "./features/metrics/recorder";
import { shardSink } from "./features/metrics/shards";
import { durableRateLimiter, type RateLimiterClient } from "./features/rate-limit/limiter";
import { UserRepository } from "./features/users/repository";
import { type Clock, systemClock } from "./platform/clock";
import { JwtService } from "./platform/jwt";
import type { Logger } from "./platform/logger";
import { PasswordHasher } from "./platform/password";
import { cryptoRandom, type RandomSource } from "./platform/random";

/** What the platform injects: time and randomness. Tests replace them; production never does. */
export interface PlatformDeps {
  clock: Clock;
  random: RandomSource;
}

export const defaultPlatformDeps: PlatformDeps = { clock: systemClock, random: cryptoRandom };

/** Everything a request, a queue batch or a cron run works with, built fresh from `env`. */
export interface Services extends PlatformDeps {
  env: Env;
  config: Config;
  logger: Logger;
  db: Database;
  jwt: JwtService;
  passwords: PasswordHasher;
  users: UserRepository;
  /** Counters and histograms of `METRICS`, e.g. `metrics.increment("tokens_invites_created_total")`. */
  metrics: MetricsRecorder;
  /** Used by the `rateLimit(policy)` middleware. */
  rateLimiter: RateLimiterClient;
}

/**
 * The one way services are built: per request by the `services` middleware, per batch by the queue
 * handler, per run by the cron handler. No module-level database or binding singletons.
 */
export function createServices(env: Env, deps: PlatformDeps, logger: Logger): Services {
  const config = loadConfig(env);
  const db = createDatabase(env, config);
  return {
    ...deps,
    env,
    config,
    logger,
    db,
    jwt: new JwtService(
      {
        issuer: config.jwt.issuer,
        audience: config.jwt.audience,
        privateKeyPem: config.jwt.privateKeyPem,
        previousPublicKeysPem: config.jwt.previousPublicKeysPem,
      },
      deps.clock,
    ),
    passwords: new PasswordHasher(config.passwordHash, deps.random),
    users: new UserRepository(db),
    metrics: new MetricsRecorder(isolateMetrics, shardSink(env.METRICS_SHARD), {
      shards: config.metrics.shards,
      flushDelayMs: config.metrics.flushDelayMs,
      clock: deps.clock,
      random: deps.random,
      logger,
    }),
    rateLimiter: durableRateLimiter(env.RATE_LIMITER, deps.clock),
  };
}
