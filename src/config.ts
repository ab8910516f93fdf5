import { z } from "zod";
import { type Mailbox, parseMailbox } from "./features/email/address";
import {
  RATE_LIMIT_VARS,
  type RateLimitPolicyName,
  type RateLimitSetting,
  rateLimitSettingsFrom,
} from "./features/rate-limit/policies";
import { checkWebhookUrl } from "./features/webhooks/destination";
import { parseWebhookSecrets, webhookKeyBytes } from "./features/webhooks/signing";
import { MIN_ARGON2_PARAMS, minArgon2Params } from "./platform/password";

const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const optionalSecret = z
  .string()
  .optional()
  .transform((value) => (value?.trim() ? value : undefined));

const optionalVar = z
  .string()
  .optional()
  .transform((value) => (value?.trim() ? value.trim() : undefined));

/** Ports SMTP servers listen on for each TLS mode, used when MAIL_PORT is empty. */
const DEFAULT_SMTP_PORTS = { starttls: 587, tls: 465, none: 25 } as const;

const schema = z.object({
  ENVIRONMENT: z.enum(["development", "test", "staging", "production"]).default("production"),
  DATABASE: z.enum(["d1", "hyperdrive"]).default("d1"),
  JWT_ISSUER: z.string().min(1),
  JWT_AUDIENCE: z.string().min(1),
  JWT_PRIVATE_KEY: z.string().includes("PRIVATE KEY", { message: "must be a PKCS#8 PEM private key" }),
  JWT_PREVIOUS_PUBLIC_KEYS: optionalSecret,
  TOTP_ENCRYPTION_KEY: z.string().min(1, "is required (32 random bytes, base64url)"),
  TOTP_PREVIOUS_ENCRYPTION_KEYS: optionalSecret,
  DATA_ENCRYPTION_KEY: z.string().min(1, "is required (32 random bytes, base64url)"),
  DATA_PREVIOUS_ENCRYPTION_KEYS: optionalSecret,
  ACCESS_TOKEN_TTL: seconds(900),
  REFRESH_TOKEN_TTL: seconds(1_209_600),
  SESSION_MAX_LIFETIME: seconds(2_592_000),
  PASSWORD_RESET_TTL: seconds(3600),
  VERIFICATION_TOKEN_TTL: seconds(86_400),
  TWO_FACTOR_CODE_TTL: z.coerce.number().int().min(60).max(3600).default(300),
  PAGE_SESSION_TTL: z.coerce.number().int().min(60).max(86_400).default(1800),
  TENANT_SESSION_TIMEOUT: z.coerce.number().int().min(60).max(86_400).default(3600),
  // The floor depends on ENVIRONMENT (checkPasswordCost): OWASP's minimum except under test.
  PASSWORD_HASH_MEMORY_KIB: z.coerce.number().int().default(MIN_ARGON2_PARAMS.memoryKib),
  PASSWORD_HASH_ITERATIONS: z.coerce.number().int().default(MIN_ARGON2_PARAMS.iterations),
  PASSWORD_HASH_PARALLELISM: z.coerce.number().int().default(MIN_ARGON2_PARAMS.parallelism),
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(65_536),
  INVITES_DAILY_LIMIT: z.coerce.number().int().positive().default(5),
  INVITE_TTL: seconds(604_800),
  TOKENS_WEBHOOK_URL: optionalVar,
  TOKEN_WEBHOOK_SECRET: optionalSecret,
  WEBHOOK_MAX_RETRIES: z.coerce.number().int().min(0).max(100).default(8),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  LOG_SAMPLE_RATE: z.coerce.number().min(0).max(1).default(0),
  LOG_SLOW_REQUEST_MS: z.coerce.number().int().min(1).default(1000),
  PROFILE: z.enum(["on", "off"]).default("off"),
  METRICS_TOKEN: optionalSecret,
  REFRESH_REUSE_GRACE_SECONDS: z.coerce.number().int().min(0).max(300).default(10),
  ADMIN_USERNAME: optionalSecret,
  ADMIN_EMAIL: optionalSecret,
  ADMIN_PASSWORD: optionalSecret,
  ADMIN_NAME: optionalSecret,
  ADMIN_INSTITUTIONS: optionalSecret,
  ADMIN_ROLE: optionalVar.pipe(z.enum(["root", "admin"]).optional()),
  AUTH_CACHE_SECONDS: z.coerce.number().int().min(0).max(10).default(5),
  APP_NAME: z.string().trim().min(1).default("Edge Auth"),
  APP_BASE_URL: z
    .url({ protocol: /^https?$/, message: "must be an http(s) URL" })
    .default("http://localhost:8787"),
  MAIL_TRANSPORT: z.enum(["capture", "email-service", "smtp"]).default("capture"),
  MAIL_FROM: z.string().transform((value, ctx) => {
    const mailbox = parseMailbox(value);
    if (!mailbox) ctx.addIssue({ code: "custom", message: "must be an address or Name <address>" });
    return mailbox ?? { address: "" };
  }),
  MAIL_HOST: optionalVar,
  MAIL_PORT: optionalVar
    .transform((value) => (value === undefined ? undefined : Number(value)))
    .pipe(z.number().int().min(1).max(65_535).optional()),
  MAIL_USER: optionalVar,
  MAIL_PASSWORD: optionalSecret,
  MAIL_TLS: z.enum(["starttls", "tls", "none"]).default("starttls"),
  EMAIL_MAX_RETRIES: z.coerce.number().int().min(0).max(100).default(5),
  METRICS_SHARDS: z.coerce.number().int().min(1).max(64).default(4),
  // Tenant slugs that get their own `tenant` label value (at most 20); every other tenant is `other`.
  METRICS_TENANTS: z
    .string()
    .default("")
    .transform((value) => value.split(/[\s,]+/).filter((slug) => slug.length > 0))
    .refine((slugs) => slugs.length <= 20, "must name at most 20 tenants"),
  METRICS_FLUSH_DELAY_MS: z.coerce.number().int().min(0).max(10_000).default(1000),
  CLEANUP_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(1000),
  CLEANUP_MAX_BATCHES: z.coerce.number().int().min(1).max(1000).default(40),
});

type Vars = z.infer<typeof schema>;

/** Adds an issue for each webhook setting that cannot work (never echoing a secret). */
function checkWebhookVars(vars: Vars, ctx: z.RefinementCtx): void {
  if (vars.TOKENS_WEBHOOK_URL) {
    const check = checkWebhookUrl(vars.TOKENS_WEBHOOK_URL, vars.ENVIRONMENT);
    if (!check.ok) ctx.addIssue({ code: "custom", path: ["TOKENS_WEBHOOK_URL"], message: check.reason });
    // invite.created carries the invite's code: unsigned, a receiver cannot tell it from a forgery.
    if (vars.ENVIRONMENT === "production" && !vars.TOKEN_WEBHOOK_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["TOKEN_WEBHOOK_SECRET"],
        message: "required in production when TOKENS_WEBHOOK_URL is set",
      });
    }
  }
  for (const secret of parseWebhookSecrets(vars.TOKEN_WEBHOOK_SECRET)) {
    try {
      webhookKeyBytes(secret);
    } catch {
      ctx.addIssue({
        code: "custom",
        path: ["TOKEN_WEBHOOK_SECRET"],
        message: "a secret starting with whsec_ must go on with non-empty base64",
      });
    }
  }
}

// Refresh tokens are addressed to the issuer itself (src/platform/jwt.ts): the apps' audience must
// be another name, or a refresh token would carry the apps' `aud`.
function checkAudience(vars: Vars, ctx: z.RefinementCtx): void {
  if (vars.JWT_AUDIENCE === vars.JWT_ISSUER) {
    ctx.addIssue({
      code: "custom",
      path: ["JWT_AUDIENCE"],
      message: "must differ from JWT_ISSUER (refresh tokens are addressed to the issuer)",
    });
  }
}

// SMTP settings only matter, and are only checked, when SMTP is the transport.
function checkSmtp(vars: Vars, ctx: z.RefinementCtx): void {
  if (vars.MAIL_TRANSPORT !== "smtp") return;
  if (!vars.MAIL_HOST) ctx.addIssue({ code: "custom", path: ["MAIL_HOST"], message: "required for smtp" });
  if (vars.MAIL_USER && !vars.MAIL_PASSWORD) {
    ctx.addIssue({ code: "custom", path: ["MAIL_PASSWORD"], message: "required when MAIL_USER is set" });
  }
}

/** Environments that serve real users: they refuse settings only development may use. */
const DEPLOYED = new Set<Vars["ENVIRONMENT"]>(["production", "staging"]);

/**
 * Production and staging refuse, at start, the settings that would quietly expose something: a
 * public `/metrics`, e-mail links over http, SMTP credentials in clear, e-mail (with live tokens)
 * kept in a table instead of sent. (`workers_dev` is not a var: wrangler.toml's [env.production]
 * turns it off, and `refuseWorkersDevHost` answers nothing on a *.workers.dev host.)
 */
function checkDeployedSafety(vars: Vars, ctx: z.RefinementCtx): void {
  if (!DEPLOYED.has(vars.ENVIRONMENT)) return;
  const refuse = (path: keyof Vars, message: string) =>
    ctx.addIssue({ code: "custom", path: [path], message: `${message} in ${vars.ENVIRONMENT}` });
  if (!vars.METRICS_TOKEN) refuse("METRICS_TOKEN", "is required (without it /metrics is public)");
  if (!vars.APP_BASE_URL.startsWith("https://")) {
    refuse("APP_BASE_URL", "must be https (e-mailed links carry tokens)");
  }
  if (vars.MAIL_TRANSPORT === "capture") {
    refuse(
      "MAIL_TRANSPORT",
      "must not be capture (it keeps e-mail, tokens included, in a table and sends nothing)",
    );
  }
  if (vars.MAIL_TRANSPORT === "smtp" && vars.MAIL_USER && vars.MAIL_TLS === "none") {
    refuse("MAIL_TLS", "must be starttls or tls (SMTP credentials are never sent in clear)");
  }
  if (vars.PROFILE === "on") {
    refuse("PROFILE", "must be off (Server-Timing would tell every client where the time goes)");
  }
}

/**
 * Argon2id below OWASP's minimum is refused in every environment that may hold a real password;
 * only the test suite (ENVIRONMENT=test) may go down to Argon2's own floor, to hash fast.
 */
function checkPasswordCost(vars: Vars, ctx: z.RefinementCtx): void {
  const minimum = minArgon2Params(vars.ENVIRONMENT);
  const settings = [
    ["PASSWORD_HASH_MEMORY_KIB", vars.PASSWORD_HASH_MEMORY_KIB, minimum.memoryKib],
    ["PASSWORD_HASH_ITERATIONS", vars.PASSWORD_HASH_ITERATIONS, minimum.iterations],
    ["PASSWORD_HASH_PARALLELISM", vars.PASSWORD_HASH_PARALLELISM, minimum.parallelism],
  ] as const;
  for (const [name, value, least] of settings) {
    if (value < least) {
      ctx.addIssue({
        code: "custom",
        path: [name],
        message: `must be at least ${least} in ${vars.ENVIRONMENT}`,
      });
    }
  }
}

// The refresh TTL is the idle timeout: longer than the absolute lifetime, it would mean nothing.
function checkSessionLifetimes(vars: Vars, ctx: z.RefinementCtx): void {
  if (vars.REFRESH_TOKEN_TTL > vars.SESSION_MAX_LIFETIME) {
    ctx.addIssue({
      code: "custom",
      path: ["REFRESH_TOKEN_TTL"],
      message: "must not exceed SESSION_MAX_LIFETIME",
    });
  }
}

const checkedSchema = schema.superRefine((vars, ctx) => {
  checkWebhookVars(vars, ctx);
  checkAudience(vars, ctx);
  checkSessionLifetimes(vars, ctx);
  checkPasswordCost(vars, ctx);
  checkSmtp(vars, ctx);
  checkDeployedSafety(vars, ctx);
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
    /** Seconds a refresh token lives after its rotation: the session's idle timeout. */
    refreshTokenTtl: number;
    /** Seconds a session (refresh-token family) lives at most from its login, however often it rotates. */
    sessionMaxLifetime: number;
  };
  passwordResetTtl: number;
  verificationTokenTtl: number;
  /** Seconds an e-mailed two-factor code lives (`TWO_FACTOR_CODE_TTL`, 60..3600). */
  twoFactorCodeTtl: number;
  /** Seconds a web page session (the 2FA activation page) lives after sign-in (`PAGE_SESSION_TTL`). */
  pageSessionTtl: number;
  /** Seconds a tenant session lives when its tenant sets no `session_timeout_seconds` (`TENANT_SESSION_TIMEOUT`). */
  tenantSessionTimeout: number;
  /**
   * AES-GCM keys (current, then previous ones still accepted for decryption): `totp` seals TOTP
   * secrets at rest, `data` seals secrets that must travel or wait (queue payloads, webhook bodies).
   */
  encryption: Record<"totp" | "data", { current: string; previous: string[] }>;
  passwordHash: { memoryKib: number; iterations: number; parallelism: number };
  maxBodyBytes: number;
  invitesDailyLimit: number;
  /** Lifetime of an invite created without `data_expiracao`, seconds. */
  inviteTtl: number;
  webhooks: WebhookConfig;
  logLevel: "debug" | "info" | "warn" | "error";
  /**
   * The access log: 4xx, 5xx and requests slower than `slowRequestMs` at info; other 2xx/3xx at
   * debug, except a `sampleRate` fraction of them at info.
   */
  accessLog: { sampleRate: number; slowRequestMs: number };
  /** `PROFILE=on` (development only): a `Server-Timing` header of where each request's time went. */
  profile: boolean;
  metricsToken?: string;
  /** How long a just-rotated refresh token may be presented again and get its child back. */
  refreshReuseGraceSeconds: number;
  /** `ADMIN_*` as set; `features/accounts/initial-admin.ts` applies the development defaults. */
  initialAdmin: {
    username?: string;
    email?: string;
    password?: string;
    name?: string;
    /** `ADMIN_INSTITUTIONS`: slugs of the admin's tenants (seed 002's variable name). */
    tenants?: string[];
    /** `ADMIN_ROLE`: `root` (the default: the top role must exist for anyone to grant it) or `admin`. */
    role?: "root" | "admin";
  };
  /**
   * How long an isolate may reuse a positive credential check (an access token's user, an API
   * token's lookup), in seconds (0: every request reads the database). Bounds how long a
   * revocation, demotion, disabled account, logout-all or password reset made elsewhere takes to
   * reach this isolate.
   */
  authCacheSeconds: number;
  /** What e-mails call the product and where their links point (the web app's base URL). */
  app: { name: string; baseUrl: string };
  mail: MailConfig;
  /** Metric shards (only ever raise: a shard left out of the scrape takes its series) and flush delay. */
  /**
   * `tenants`: the slugs `METRICS_TENANTS` names, the only values of the tenant metrics' `tenant`
   * label besides `other` (docs/tenants.md: label cardinality stays bounded by the operator).
   */
  metrics: { shards: number; flushDelayMs: number; tenants: readonly string[] };
  /** Budget of one cron cleanup run (see src/jobs/cleanup/run-cleanup.ts). */
  cleanup: { batchSize: number; maxBatches: number };
  /** Each rate-limit policy's limit, or null when its var is `off`. */
  rateLimits: Record<RateLimitPolicyName, RateLimitSetting>;
}

/** How e-mail leaves the service; see docs/email.md. */
export interface MailConfig {
  transport: "capture" | "email-service" | "smtp";
  from: Mailbox;
  smtp?: SmtpConfig;
  /** Must equal `max_retries` of the e-mail queue consumer in wrangler.toml. */
  maxRetries: number;
}

/** Where invite events go and how they are signed; see docs/invites.md. */
export interface WebhookConfig {
  /** `TOKENS_WEBHOOK_URL` after `checkWebhookUrl`; undefined turns webhooks off. */
  url?: URL;
  /** `TOKEN_WEBHOOK_SECRET` split on spaces: each signs every delivery; none means unsigned. */
  secrets: string[];
  /** Must equal `max_retries` of the webhook queue consumer in wrangler.toml. */
  maxRetries: number;
}

export interface SmtpConfig {
  host: string;
  port: number;
  tls: "starttls" | "tls" | "none";
  user?: string;
  password?: string;
}

const cache = new WeakMap<object, Config>();

/** A list of keys separated by spaces, commas or new lines. */
function keyList(value: string | undefined): string[] {
  return value?.split(/[\s,]+/).filter(Boolean) ?? [];
}

/**
 * Parses `env` into a `Config`; throws with every invalid variable named (never their values).
 * Cached per `env` object, which workerd keeps for the life of an isolate.
 */
export function loadConfig(env: Env): Config {
  const cached = cache.get(env);
  if (cached) return cached;
  const parsed = checkedSchema.safeParse(env);
  const limits = rateLimitSchema.safeParse(env);
  // A D1 deploy has no Hyperdrive binding; only PostgreSQL needs one.
  const bindings =
    parsed.data?.DATABASE === "hyperdrive" && !env.HYPERDRIVE
      ? [{ path: ["HYPERDRIVE"], message: "binding is required when DATABASE is hyperdrive" }]
      : [];
  if (!parsed.success || !limits.success || bindings.length > 0) {
    const issues = [...(parsed.error?.issues ?? []), ...(limits.error?.issues ?? []), ...bindings];
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
      sessionMaxLifetime: vars.SESSION_MAX_LIFETIME,
    },
    encryption: {
      totp: { current: vars.TOTP_ENCRYPTION_KEY, previous: keyList(vars.TOTP_PREVIOUS_ENCRYPTION_KEYS) },
      data: { current: vars.DATA_ENCRYPTION_KEY, previous: keyList(vars.DATA_PREVIOUS_ENCRYPTION_KEYS) },
    },
    passwordResetTtl: vars.PASSWORD_RESET_TTL,
    verificationTokenTtl: vars.VERIFICATION_TOKEN_TTL,
    twoFactorCodeTtl: vars.TWO_FACTOR_CODE_TTL,
    pageSessionTtl: vars.PAGE_SESSION_TTL,
    tenantSessionTimeout: vars.TENANT_SESSION_TIMEOUT,
    passwordHash: {
      memoryKib: vars.PASSWORD_HASH_MEMORY_KIB,
      iterations: vars.PASSWORD_HASH_ITERATIONS,
      parallelism: vars.PASSWORD_HASH_PARALLELISM,
    },
    maxBodyBytes: vars.MAX_BODY_BYTES,
    invitesDailyLimit: vars.INVITES_DAILY_LIMIT,
    inviteTtl: vars.INVITE_TTL,
    webhooks: {
      url: vars.TOKENS_WEBHOOK_URL ? new URL(vars.TOKENS_WEBHOOK_URL) : undefined,
      secrets: parseWebhookSecrets(vars.TOKEN_WEBHOOK_SECRET),
      maxRetries: vars.WEBHOOK_MAX_RETRIES,
    },
    logLevel: vars.LOG_LEVEL,
    accessLog: { sampleRate: vars.LOG_SAMPLE_RATE, slowRequestMs: vars.LOG_SLOW_REQUEST_MS },
    profile: vars.PROFILE === "on",
    metricsToken: vars.METRICS_TOKEN,
    refreshReuseGraceSeconds: vars.REFRESH_REUSE_GRACE_SECONDS,
    initialAdmin: {
      username: vars.ADMIN_USERNAME,
      email: vars.ADMIN_EMAIL,
      password: vars.ADMIN_PASSWORD,
      name: vars.ADMIN_NAME,
      tenants: vars.ADMIN_INSTITUTIONS?.split(",")
        .map((code) => code.trim())
        .filter(Boolean),
      role: vars.ADMIN_ROLE,
    },
    authCacheSeconds: vars.AUTH_CACHE_SECONDS,
    app: { name: vars.APP_NAME, baseUrl: vars.APP_BASE_URL.replace(/\/+$/, "") },
    mail: {
      transport: vars.MAIL_TRANSPORT,
      from: vars.MAIL_FROM,
      smtp: vars.MAIL_HOST
        ? {
            host: vars.MAIL_HOST,
            port: vars.MAIL_PORT ?? DEFAULT_SMTP_PORTS[vars.MAIL_TLS],
            tls: vars.MAIL_TLS,
            user: vars.MAIL_USER,
            password: vars.MAIL_PASSWORD,
          }
        : undefined,
      maxRetries: vars.EMAIL_MAX_RETRIES,
    },
    metrics: {
      shards: vars.METRICS_SHARDS,
      flushDelayMs: vars.METRICS_FLUSH_DELAY_MS,
      tenants: vars.METRICS_TENANTS,
    },
    cleanup: { batchSize: vars.CLEANUP_BATCH_SIZE, maxBatches: vars.CLEANUP_MAX_BATCHES },
    rateLimits: rateLimitSettingsFrom(limits.data),
  };
  cache.set(env, config);
  return config;
}
