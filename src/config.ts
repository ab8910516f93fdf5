import { z } from "zod";
import {
  RATE_LIMIT_VARS,
  type RateLimitPolicyName,
  type RateLimitSetting,
  rateLimitSettingsFrom,
} from "./features/rate-limit/policies";
import { MIN_ARGON2_PARAMS } from "./platform/password";

const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const optionalSecret = z
  .string()
  .optional()
  .transform((value) => (value?.trim() ? value : undefined));

const schema = z.object({
  ENVIRONMENT: z.enum(["development", "test", "staging", "production"]).default("production"),
  DATABASE: z.enum(["d1", "hyperdrive"]).default("d1"),
  JWT_ISSUER: z.string().min(1),
  JWT_AUDIENCE: z.string().min(1),
  JWT_PRIVATE_KEY: z.string().includes("PRIVATE KEY", { message: "must be a PKCS#8 PEM private key" }),
  JWT_PREVIOUS_PUBLIC_KEYS: optionalSecret,
  ACCESS_TOKEN_TTL: seconds(900),
  REFRESH_TOKEN_TTL: seconds(1_209_600),
  PASSWORD_RESET_TTL: seconds(3600),
  VERIFICATION_TOKEN_TTL: seconds(86_400),
  PASSWORD_HASH_MEMORY_KIB: z.coerce
    .number()
    .int()
    .min(MIN_ARGON2_PARAMS.memoryKib)
    .default(MIN_ARGON2_PARAMS.memoryKib),
  PASSWORD_HASH_ITERATIONS: z.coerce
    .number()
    .int()
    .min(MIN_ARGON2_PARAMS.iterations)
    .default(MIN_ARGON2_PARAMS.iterations),
  PASSWORD_HASH_PARALLELISM: z.coerce
    .number()
    .int()
    .min(MIN_ARGON2_PARAMS.parallelism)
    .default(MIN_ARGON2_PARAMS.parallelism),
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(65_536),
  INVITES_DAILY_LIMIT: z.coerce.number().int().positive().default(5),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  METRICS_TOKEN: optionalSecret,
  METRICS_SHARDS: z.coerce.number().int().min(1).max(64).default(4),
  METRICS_FLUSH_DELAY_MS: z.coerce.number().int().min(0).max(10_000).default(1000),
  CLEANUP_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(1000),
  CLEANUP_MAX_BATCHES: z.coerce.number().int().min(1).max(1000).default(40),
});
const rateLimitSchema = z.object(RATE_LIMIT_VARS);

/** Configuration read from bindings and vars, validated once per `env` object. */
export interface Config {
  environment: "development" | "test" | "staging" | "production";
  database: "d1" | "hyperdrive";
  jwt: {
    issuer: string;
    audience: string;
    privateKeyPem: string;
    previousPublicKeysPem?: string;
    accessTokenTtl: number;
    refreshTokenTtl: number;
  };
  passwordResetTtl: number;
  verificationTokenTtl: number;
  passwordHash: { memoryKib: number; iterations: number; parallelism: number };
  maxBodyBytes: number;
  invitesDailyLimit: number;
  logLevel: "debug" | "info" | "warn" | "error";
  metricsToken?: string;
  /** Metric shards (only ever raise: a shard left out of the scrape takes its series) and flush delay. */
  metrics: { shards: number; flushDelayMs: number };
  /** Budget of one cron cleanup run (see src/jobs/cleanup/run-cleanup.ts). */
  cleanup: { batchSize: number; maxBatches: number };
  /** Each rate-limit policy's limit, or null when its var is `off`. */
  rateLimits: Record<RateLimitPolicyName, RateLimitSetting>;
}

const cache = new WeakMap<object, Config>();

/**
 * Parses `env` into a `Config`; throws with every invalid variable named (never their values).
 * Cached per `env` object, which workerd keeps for the life of an isolate.
 */
export function loadConfig(env: Env): Config {
  const cached = cache.get(env);
  if (cached) return cached;
  const parsed = schema.safeParse(env);
  const limits = rateLimitSchema.safeParse(env);
  if (!parsed.success || !limits.success) {
    const issues = [...(parsed.error?.issues ?? []), ...(limits.error?.issues ?? [])];
    const names = issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid configuration: ${names.join("; ")}`);
  }
  const vars = parsed.data;
  const config: Config = {
    environment: vars.ENVIRONMENT,
    database: vars.DATABASE,
    jwt: {
      issuer: vars.JWT_ISSUER,
      audience: vars.JWT_AUDIENCE,
      privateKeyPem: vars.JWT_PRIVATE_KEY,
      previousPublicKeysPem: vars.JWT_PREVIOUS_PUBLIC_KEYS,
      accessTokenTtl: vars.ACCESS_TOKEN_TTL,
      refreshTokenTtl: vars.REFRESH_TOKEN_TTL,
    },
    passwordResetTtl: vars.PASSWORD_RESET_TTL,
    verificationTokenTtl: vars.VERIFICATION_TOKEN_TTL,
    passwordHash: {
      memoryKib: vars.PASSWORD_HASH_MEMORY_KIB,
      iterations: vars.PASSWORD_HASH_ITERATIONS,
      parallelism: vars.PASSWORD_HASH_PARALLELISM,
    },
    maxBodyBytes: vars.MAX_BODY_BYTES,
    invitesDailyLimit: vars.INVITES_DAILY_LIMIT,
    logLevel: vars.LOG_LEVEL,
    metricsToken: vars.METRICS_TOKEN,
    metrics: { shards: vars.METRICS_SHARDS, flushDelayMs: vars.METRICS_FLUSH_DELAY_MS },
    cleanup: { batchSize: vars.CLEANUP_BATCH_SIZE, maxBatches: vars.CLEANUP_MAX_BATCHES },
    rateLimits: rateLimitSettingsFrom(limits.data),
  };
  cache.set(env, config);
  return config;
}
