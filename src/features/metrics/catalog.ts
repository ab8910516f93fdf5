import { API_TOKEN_SCOPES } from "../api-tokens/api-token";
import { EMAIL_TEMPLATES } from "../email/message";
import { EMAIL_TRANSPORTS } from "../email/transports/transport";
import { RATE_LIMIT_POLICIES, RATE_LIMIT_POLICY_NAMES } from "../rate-limit/policies";
import { WEBHOOK_EVENTS } from "../webhooks/events";

/**
 * A label whose values are not listed here but are still bounded by code: route templates, cleanup
 * step names. Never a raw path, an e-mail, a token or anything else a client chooses.
 */
export interface OpenLabel {
  readonly open: string;
}

type LabelSpec = readonly string[] | OpenLabel;

export interface MetricDefinition {
  readonly type: "counter" | "histogram" | "gauge";
  readonly help: string;
  readonly labels: Readonly<Record<string, LabelSpec>>;
  /** Histogram upper bounds in seconds (the `+Inf` bucket is implicit). */
  readonly buckets?: readonly number[];
  /** Label sets of open-labelled metrics whose series exist (at zero) from the first scrape. */
  readonly prefill?: readonly Readonly<Record<string, string>>[];
}

const ROUTE_TEMPLATE: OpenLabel = { open: "route template, e.g. /api/tokens/:id/use/; 'unmatched' for 404s" };
const CLEANUP_STEP: OpenLabel = { open: "cleanup step name" };
const TENANT: OpenLabel = { open: "a tenant slug listed in METRICS_TENANTS (at most 20), else 'other'" };
const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"] as const;
const STATUS_CLASSES = ["1xx", "2xx", "3xx", "4xx", "5xx"] as const;
/** A poison message whose body is not an e-mail message has no template it can be counted under. */
const POISON_TEMPLATES = [...EMAIL_TEMPLATES, "unknown"] as const;
/** The `policy` label of a 429 from the `InviteQuota` daily cap, which is not a GCRA policy. */
export const INVITE_DAILY_CAP_POLICY = "invites_daily_cap";
const LIMIT_POLICIES = [...RATE_LIMIT_POLICY_NAMES, INVITE_DAILY_CAP_POLICY] as const;
const FAST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] as const;
const WEBHOOK_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

/**
 * Every metric the service exposes: name, type, help, labels and their allowed values. Recording
 * through `services.metrics` is typed against this table, so a misspelt name or an unlisted label
 * value does not compile. The first nine are seed 000's, with its exact names and types.
 */
export const METRICS = {
  tokens_invites_created_total: { type: "counter", help: "Invites created.", labels: {} },
  tokens_invites_used_total: { type: "counter", help: "Invites consumed.", labels: {} },
  tokens_invites_revoked_total: { type: "counter", help: "Invites revoked.", labels: {} },
  tokens_validation_fail_total: {
    type: "counter",
    help: "Invite validations that did not find a usable invite, by reason.",
    labels: { reason: ["not_found", "expired", "used", "revoked"] },
  },
  tokens_validation_latency_seconds: {
    type: "histogram",
    help: "Latency of invite validations (every outcome), in seconds.",
    labels: {},
    buckets: FAST_BUCKETS,
  },
  tokens_rate_limited_total: {
    type: "counter",
    help: "Requests refused with 429 by a rate-limit policy or by the daily invite cap.",
    labels: { route: ROUTE_TEMPLATE, policy: LIMIT_POLICIES },
    prefill: [
      ...RATE_LIMIT_POLICY_NAMES.map((policy) => ({ route: RATE_LIMIT_POLICIES[policy].route, policy })),
      { route: "/api/tokens/", policy: INVITE_DAILY_CAP_POLICY },
    ],
  },
  tokens_webhooks_sent_total: {
    type: "counter",
    help: "Webhooks delivered with a 2xx answer.",
    labels: { event: WEBHOOK_EVENTS },
  },
  tokens_webhooks_failed_total: {
    type: "counter",
    help: "Webhooks that failed after every retry (dead-lettered).",
    labels: { event: WEBHOOK_EVENTS },
  },
  tokens_webhooks_retried_total: {
    type: "counter",
    help: "Failed webhook delivery attempts that will be retried, by event.",
    labels: { event: WEBHOOK_EVENTS },
  },
  tokens_webhooks_poison_total: {
    type: "counter",
    help: "Webhook messages dropped undelivered because their body or payload is invalid.",
    labels: {},
  },
  tokens_webhook_latency_seconds: {
    type: "histogram",
    help: "Latency of one webhook delivery attempt, in seconds.",
    labels: {},
    buckets: WEBHOOK_BUCKETS,
  },
  tokens_http_requests_total: {
    type: "counter",
    help: "HTTP requests answered, by method, route template and status class.",
    labels: { method: HTTP_METHODS, route: ROUTE_TEMPLATE, status: STATUS_CLASSES },
  },
  tokens_http_request_duration_seconds: {
    type: "histogram",
    help: "Time to answer an HTTP request inside the Worker, by route template, in seconds.",
    labels: { route: ROUTE_TEMPLATE },
    buckets: FAST_BUCKETS,
  },
  tokens_auth_failures_total: {
    type: "counter",
    help: "Authentication failures, by reason.",
    labels: {
      reason: [
        "invalid_credentials",
        "invalid_token",
        "expired_token",
        "revoked_token",
        "invalid_two_factor_code",
      ],
    },
  },
  tokens_two_factor_events_total: {
    type: "counter",
    help: "Two-factor events that succeeded, by event.",
    labels: {
      event: [
        "setup",
        "enabled",
        "disabled",
        "recovery_codes_generated",
        "recovery_code_used",
        "code_sent",
        "code_validated",
      ],
    },
  },
  tokens_two_factor_failures_total: {
    type: "counter",
    help: "Second factors refused (login, 2FA routes, code validation, the activation page), by method and reason.",
    labels: {
      method: ["totp", "email", "recovery"],
      reason: ["wrong_code", "replayed", "no_live_code", "wrong_password", "rate_limited"],
    },
  },
  tokens_tenant_logins_total: {
    type: "counter",
    help: "Tenant logins (POST /tenants/{slug}/login and mfa/verify), by tenant and result.",
    labels: { tenant: TENANT, result: ["success", "mfa_pending", "mfa_verified", "failure"] },
  },
  tokens_tenant_mfa_failures_total: {
    type: "counter",
    help: "Second factors refused by tenant mfa/verify, by tenant and method.",
    labels: { tenant: TENANT, method: ["totp", "email", "recovery"] },
  },
  tokens_refresh_token_reuse_total: {
    type: "counter",
    help: "Retired refresh tokens presented again after the grace window (each revoked a token family).",
    labels: {},
  },
  tokens_api_tokens_created_total: {
    type: "counter",
    help: "API tokens created, by scope.",
    labels: { scope: API_TOKEN_SCOPES },
  },
  tokens_api_tokens_revoked_total: {
    type: "counter",
    help: "API tokens revoked, by reason: revoked (by their owner or an admin) or leaked (a leak report).",
    labels: { reason: ["revoked", "leaked"] },
  },
  tokens_api_token_auth_failures_total: {
    type: "counter",
    help: "API-token requests refused, by reason (ip_not_allowed is a 403, the others a 401).",
    labels: {
      reason: [
        "malformed",
        "bad_checksum",
        "unknown",
        "expired",
        "revoked",
        "owner_disabled",
        "ip_not_allowed",
      ],
    },
  },
  tokens_api_token_lookups_total: {
    type: "counter",
    help: "API-token lookups, by where the answer came from: this isolate's cache or the database.",
    labels: { source: ["cache", "database"] },
  },
  tokens_api_token_leak_reports_total: {
    type: "counter",
    help: "Leaked-token reports, by outcome: revoked a live token, or found none (unknown or already revoked).",
    labels: { outcome: ["revoked", "not_live"] },
  },
  tokens_role_changes_total: {
    type: "counter",
    help: "Global role changes, by direction.",
    labels: { direction: ["promotion", "demotion"] },
  },
  tokens_emails_sent_total: {
    type: "counter",
    help: "E-mails handed to the transport, by template and transport.",
    labels: { template: EMAIL_TEMPLATES, transport: EMAIL_TRANSPORTS },
  },
  tokens_emails_failed_total: {
    type: "counter",
    help: "E-mails whose final attempt failed (dead-lettered), by template and transport.",
    labels: { template: EMAIL_TEMPLATES, transport: EMAIL_TRANSPORTS },
  },
  tokens_emails_retried_total: {
    type: "counter",
    help: "Failed e-mail send attempts that will be retried, by template and transport.",
    labels: { template: EMAIL_TEMPLATES, transport: EMAIL_TRANSPORTS },
  },
  tokens_emails_poison_total: {
    type: "counter",
    help: "E-mail messages dropped unsent because their body or data is invalid ('unknown' template: not an e-mail message).",
    labels: { template: POISON_TEMPLATES, transport: EMAIL_TRANSPORTS },
  },
  tokens_rate_limiter_errors_total: {
    type: "counter",
    help: "Rate-limit checks that could not reach the limiter, by policy and outcome: allowed (fail open) or refused with 503 (credential routes fail closed).",
    labels: { policy: RATE_LIMIT_POLICY_NAMES, outcome: ["allowed", "refused"] },
  },
  tokens_cleanup_rows_total: {
    type: "counter",
    help: "Rows deleted or expired by the cron cleanup, by step.",
    labels: { step: CLEANUP_STEP },
  },
  tokens_cleanup_runs_total: {
    type: "counter",
    help: "Cron cleanup runs by outcome: complete, partial (budget used up, continues next run) or failed.",
    labels: { outcome: ["complete", "partial", "failed"] },
  },
  tokens_metrics_shard_start_time_seconds: {
    type: "gauge",
    help: "When a metrics shard's storage was created (epoch seconds); a change means its counters restarted.",
    labels: {},
  },
  tokens_metrics_shard_up: {
    type: "gauge",
    help: "1 when the metrics shard answered this scrape, 0 when its series are missing from it.",
    labels: {},
  },
} as const satisfies Record<string, MetricDefinition>;

export type MetricName = keyof typeof METRICS;
type MetricsOfType<T extends MetricDefinition["type"]> = {
  [N in MetricName]: (typeof METRICS)[N]["type"] extends T ? N : never;
}[MetricName];

/** Metrics a feature increments. */
export type CounterName = MetricsOfType<"counter">;
/** Metrics a feature observes durations into. */
export type HistogramName = MetricsOfType<"histogram">;

type LabelValue<S> = S extends readonly (infer V)[] ? V : string;

/** The labels a metric takes, with their allowed values. */
export type LabelsOf<N extends MetricName> = {
  -readonly [K in keyof (typeof METRICS)[N]["labels"]]: LabelValue<(typeof METRICS)[N]["labels"][K]>;
};

/** Every shard series carries this label; it is added at scrape time, never recorded. */
export const SHARD_LABEL = "shard";
