import type { Config } from "./config";
import type { Database } from "./db";
import type { AuditService } from "./features/audit/service";
import type { CredentialCache } from "./features/authorization/credential-cache";
import type { EmailOutbox } from "./features/email/message";
import type { InviteQuotaClient } from "./features/invites/quota";
import type { MetricsRecorder } from "./features/metrics/recorder";
import type { RateLimiterClient } from "./features/rate-limit/limiter";
import type { TenantRepository } from "./features/tenants/repository";
import type { UserRepository } from "./features/users/repository";
import type { WebhookOutbox } from "./features/webhooks/outbox";
import type { BackgroundTasks } from "./platform/background";
import type { ClientInfo } from "./platform/client-info";
import type { Clock } from "./platform/clock";
import type { JwtService } from "./platform/jwt";
import type { Logger } from "./platform/logger";
import type { PasswordHasher } from "./platform/password";
import type { RandomSource } from "./platform/random";
import type { SecretBox } from "./platform/secret-box";

/**
 * What every feature is built from: configuration, the platform (time, randomness, logging,
 * crypto), storage, and the cross-cutting services (audit, e-mail outbox, metrics, rate limits).
 * Built once per request, queue batch or cron run by `createShared` (src/services.ts). A feature
 * states what it needs as `Pick<Shared, …>`, so its dependencies are listed once, by name.
 */
export interface Shared {
  config: Config;
  logger: Logger;
  /** Who the work is for (IP, user agent): requests have one; queue batches and cron runs do not. */
  client: ClientInfo;
  clock: Clock;
  random: RandomSource;
  db: Database;
  jwt: JwtService;
  passwords: PasswordHasher;
  users: UserRepository;
  tenants: TenantRepository;
  /** Audit rows carry this work's request id and client. */
  audit: AuditService;
  /** Queues e-mail; the Queue consumer renders and sends it. */
  email: EmailOutbox;
  /** Counters and histograms of `METRICS`, e.g. `metrics.increment("tokens_invites_created_total")`. */
  metrics: MetricsRecorder;
  /** Work that outlives the response; the request middleware keeps the Worker alive for it. */
  background: BackgroundTasks;
  /** Used by the `rateLimit(policy)` middleware and by services that limit per user. */
  rateLimiter: RateLimiterClient;
  /** The daily invite cap of each issuer (`InviteQuota` Durable Objects). */
  inviteQuota: InviteQuotaClient;
  /** Queues invite events for `TOKENS_WEBHOOK_URL` (sealed); a no-op while it is unset. */
  webhooks: WebhookOutbox;
  /**
   * This isolate's positive credential checks (access tokens' users, API tokens), reused for
   * `AUTH_CACHE_SECONDS`; a service that changes a user's role, status, password or sessions, or
   * revokes a token, tells it (`forgetUser`, `forgetApiToken`).
   */
  credentials: CredentialCache;
  /**
   * AES-GCM boxes with key rotation: `totp()` for TOTP secrets at rest, `data()` for secrets that
   * travel through queues or wait in tables (keys imported once per isolate).
   */
  secretBoxes: { totp(): Promise<SecretBox>; data(): Promise<SecretBox> };
}
