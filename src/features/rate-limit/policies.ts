import { z } from "zod";
import { DAY_MS } from "../../platform/clock";

/**
 * Where a policy finds the client it limits: the connecting IP, a field of the JSON body, the pair
 * of both (one identifier as tried from one client), the signed-in user (`c.var.principal`, so only
 * on routes behind `authenticate()`), the API token making the request (known only once it is
 * authenticated, so such a policy is applied by `authenticate()` itself, never by the `rateLimit()`
 * middleware), or a subject only a service knows (a user id after the password matched), checked
 * through `shared.rateLimiter`.
 */
export type RateLimitKey =
  | { kind: "ip" }
  | { kind: "body"; field: string; countedAs?: string }
  | { kind: "bodyAndIp"; field: string; countedAs?: string }
  | { kind: "user" }
  | { kind: "apiToken" }
  | { kind: "service" };

/** Keys on `CF-Connecting-IP` (an IPv6 client is limited per /64); never `X-Forwarded-For`. */
export const byClientIp: RateLimitKey = { kind: "ip" };

/**
 * Keys on a JSON body field (e.g. the login identifier), normalised and hashed. `countedAs` names
 * the subject after another door's field, so two routes spend one budget: the tenant login's
 * `email` is counted as `/auth/login`'s `identifier`.
 */
export function byBodyField(field: string, countedAs?: string): RateLimitKey {
  return { kind: "body", field, countedAs };
}

/**
 * Keys on a JSON body field together with the client IP: the budget of one identifier as tried
 * from one client, which nobody elsewhere can spend.
 */
export function byBodyFieldAndClientIp(field: string, countedAs?: string): RateLimitKey {
  return { kind: "bodyAndIp", field, countedAs };
}

/** Keys on the authenticated user (their id, whatever the credential): after `authenticate()`. */
export const byUser: RateLimitKey = { kind: "user" };

/** Keys on the API token of the request (its id); see `RateLimitKey`. */
export const byApiToken: RateLimitKey = { kind: "apiToken" };

/** Checked by a service with its own subject (e.g. `user:<id>`); never a route middleware. */
export const byService: RateLimitKey = { kind: "service" };

/** One policy: its variable, default, key and route, and how it counts. */
export interface PolicyDefinition {
  /** The var that sets this policy's limit, e.g. `RATE_LIMIT_LOGIN_IP = "30/60s"`, or `"off"`. */
  variable: string;
  /** The limit when the var is absent: `<requests>/<period><s|m|h>`. */
  fallback: string;
  key: RateLimitKey;
  /**
   * The route template the policy guards; its `tokens_rate_limited_total` series exists from start.
   * `*` for a policy that applies wherever its key does (API tokens).
   */
  route: string;
  /**
   * `failures`: only requests the route refuses with 401 (a wrong password) keep their unit; the
   * others are refunded once answered. Every request is still charged before it runs, so
   * concurrent guesses cannot overshoot the limit.
   */
  counts?: "failures";
  /**
   * Credential routes (login, reset, verification, 2FA) fail closed: when the limiter cannot be
   * reached the request is refused with 503 and `Retry-After` rather than let through unlimited,
   * since the limit is what keeps online guessing bounded. Other routes fail open.
   */
  failClosed?: true;
}

/**
 * Every rate-limit policy, one line each. A route opts in with `rateLimit("<name>")` (see
 * `middleware.ts`); the limit comes from the var (defaults in wrangler.toml [vars]). Limits are GCRA:
 * `30/60s` allows a burst of 30, then one request every 2 s, so no window edge ever lets 60 through.
 */
export const RATE_LIMIT_POLICIES = {
  // Login (docs/accounts.md "Lockout model"): every attempt counts per client IP; failed ones count
  // per identifier and client, and against a much larger ceiling per identifier from anywhere, so
  // nobody elsewhere can spend the owner's budget and online guessing stays bounded.
  login_ip: {
    variable: "RATE_LIMIT_LOGIN_IP",
    fallback: "30/60s",
    key: byClientIp,
    route: "/auth/login",
    failClosed: true,
  },
  login_identifier_client: {
    variable: "RATE_LIMIT_LOGIN_IDENTIFIER_CLIENT",
    fallback: "10/600s",
    key: byBodyFieldAndClientIp("identifier"),
    route: "/auth/login",
    counts: "failures",
    failClosed: true,
  },
  login_identifier: {
    variable: "RATE_LIMIT_LOGIN_IDENTIFIER",
    fallback: "100/3600s",
    key: byBodyField("identifier"),
    route: "/auth/login",
    counts: "failures",
    failClosed: true,
  },
  // Changing the password checks the current one: a stolen access token must not make it a
  // guessing oracle. Per user, whatever the IP; every attempt counts (changes are rare).
  password_change_user: {
    variable: "RATE_LIMIT_PASSWORD_CHANGE_USER",
    fallback: "5/3600s",
    key: byUser,
    route: "/auth/password",
    failClosed: true,
  },
  register_ip: {
    variable: "RATE_LIMIT_REGISTER_IP",
    fallback: "10/3600s",
    key: byClientIp,
    route: "/auth/register",
  },
  refresh_ip: {
    variable: "RATE_LIMIT_REFRESH_IP",
    fallback: "60/60s",
    key: byClientIp,
    route: "/auth/refresh",
  },
  // Logout needs a refresh token this service signed; the limit caps what one client can spend
  // on presenting old ones (logout-all checks each against the store).
  logout_ip: {
    variable: "RATE_LIMIT_LOGOUT_IP",
    fallback: "30/60s",
    key: byClientIp,
    route: "/auth/logout",
  },
  // Introspection is for a few protected resources, each a steady caller: generous per IP.
  introspect_ip: {
    variable: "RATE_LIMIT_INTROSPECT_IP",
    fallback: "600/60s",
    key: byClientIp,
    route: "/auth/introspect",
  },
  password_reset_ip: {
    variable: "RATE_LIMIT_PASSWORD_RESET_IP",
    fallback: "10/3600s",
    key: byClientIp,
    route: "/reset-password/request",
    failClosed: true,
  },
  // Reset and verification requests: a small budget per address and client, and a larger ceiling
  // per address (what bounds mail to one inbox). A new link never cancels a live one, so spending
  // someone's ceiling cannot take their link away either.
  password_reset_identifier_client: {
    variable: "RATE_LIMIT_PASSWORD_RESET_IDENTIFIER_CLIENT",
    fallback: "3/3600s",
    key: byBodyFieldAndClientIp("email"),
    route: "/reset-password/request",
    failClosed: true,
  },
  password_reset_identifier: {
    variable: "RATE_LIMIT_PASSWORD_RESET_IDENTIFIER",
    fallback: "10/3600s",
    key: byBodyField("email"),
    route: "/reset-password/request",
    failClosed: true,
  },
  verification_ip: {
    variable: "RATE_LIMIT_VERIFICATION_IP",
    fallback: "10/3600s",
    key: byClientIp,
    route: "/verification-token/request",
    failClosed: true,
  },
  verification_identifier_client: {
    variable: "RATE_LIMIT_VERIFICATION_IDENTIFIER_CLIENT",
    fallback: "3/3600s",
    key: byBodyFieldAndClientIp("email"),
    route: "/verification-token/request",
    failClosed: true,
  },
  verification_identifier: {
    variable: "RATE_LIMIT_VERIFICATION_IDENTIFIER",
    fallback: "10/3600s",
    key: byBodyField("email"),
    route: "/verification-token/request",
    failClosed: true,
  },
  // Tokens are 256 random bits, so guessing is hopeless anyway; these only cap how much of the
  // service one client can spend on trying.
  password_reset_confirm_ip: {
    variable: "RATE_LIMIT_PASSWORD_RESET_CONFIRM_IP",
    fallback: "20/600s",
    key: byClientIp,
    route: "/reset-password/confirm",
    failClosed: true,
  },
  verification_verify_ip: {
    variable: "RATE_LIMIT_VERIFICATION_VERIFY_IP",
    fallback: "20/600s",
    key: byClientIp,
    route: "/verification-token/verify",
    failClosed: true,
  },
  // Every request an API token makes, on any route: this var, narrowed by the token's own
  // `rate_limit` when it has one (off by default: then only a token's own limit applies).
  api_token: { variable: "RATE_LIMIT_API_TOKEN", fallback: "off", key: byApiToken, route: "*" },
  // Creating a token writes a row and an audit row that stay until revoked (or expired) plus 30
  // days: a signed-in user must not be able to write them without bound.
  api_token_create_user: {
    variable: "RATE_LIMIT_API_TOKEN_CREATE_USER",
    fallback: "20/3600s",
    key: byUser,
    route: "/api/api-tokens/",
  },
  // Reports of leaked tokens come from anyone; each costs a conditional UPDATE, maybe an e-mail.
  api_token_leak_ip: {
    variable: "RATE_LIMIT_API_TOKEN_LEAK_IP",
    fallback: "30/3600s",
    key: byClientIp,
    route: "/api/api-tokens/leaked",
  },
  // Wrong second factors of one user (TOTP, e-mailed or recovery codes, at login, on the page and on
  // the 2FA routes): only wrong ones count, so 5 then one every 3 minutes keeps a guesser who has the
  // password near 480 tries a day (about 0.14 % of finding one of the 3 live TOTP codes).
  two_factor_user: {
    variable: "RATE_LIMIT_TWO_FACTOR_USER",
    fallback: "5/900s",
    key: byService,
    route: "/auth/login",
  },
  // E-mailed codes sent to one user, whoever asks: keeps the service from flooding a mailbox.
  two_factor_code_send: {
    variable: "RATE_LIMIT_TWO_FACTOR_CODE_SEND",
    fallback: "5/900s",
    key: byService,
    route: "/tokens/gerar-codigo/",
  },
  // Invite codes carry 256 random bits: this caps what one client spends on a public route, and
  // makes scripted probing visible in tokens_rate_limited_total.
  invites_validate_ip: {
    variable: "RATE_LIMIT_INVITES_VALIDATE_IP",
    fallback: "60/60s",
    key: byClientIp,
    route: "/api/tokens/validate/",
  },
} as const satisfies Record<string, PolicyDefinition>;

export type RateLimitPolicyName = keyof typeof RATE_LIMIT_POLICIES;

export const RATE_LIMIT_POLICY_NAMES = Object.keys(RATE_LIMIT_POLICIES) as [
  RateLimitPolicyName,
  ...RateLimitPolicyName[],
];

/** A configured limit: `limit` requests per `periodMs`; `null` when the policy is switched off. */
export type RateLimitSetting = { limit: number; periodMs: number } | null;

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000 } as const;
const SETTING = /^(\d{1,7})\s*\/\s*(\d{1,6})\s*([smh])$/;

/** What a limit must look like, for error messages. */
export const RATE_LIMIT_SYNTAX = '"<requests>/<period>s|m|h" (period 1s..7d)';

/**
 * Parses a limit such as `100/60s`, `10 / 1h` (case-insensitive); undefined when it is not one or
 * is out of range (at least 1 request, a period from 1 s to 7 days). `off` is not a limit here.
 */
export function parseRateLimit(value: string): NonNullable<RateLimitSetting> | undefined {
  const match = SETTING.exec(value.trim().toLowerCase());
  if (!match) return undefined;
  const limit = Number(match[1]);
  const periodMs = Number(match[2]) * UNIT_MS[match[3] as keyof typeof UNIT_MS];
  return limit < 1 || periodMs < 1000 || periodMs > 7 * DAY_MS ? undefined : { limit, periodMs };
}

/**
 * A limit no looser than either: the smaller burst and the slower steady rate of the two. How an
 * API token's own `rate_limit`, which its holder chooses, narrows the operator's
 * `RATE_LIMIT_API_TOKEN` without ever lifting it; without an operator limit the token's own applies.
 *
 * @example tighterRateLimit({ limit: 1000, periodMs: 60_000 }, { limit: 10, periodMs: 1_000 }) // 10 per 1 s
 */
export function tighterRateLimit(
  a: NonNullable<RateLimitSetting>,
  b: RateLimitSetting | undefined,
): NonNullable<RateLimitSetting> {
  if (!b) return a;
  // Rates compared and scaled in whole numbers (below 2^53 within the parser's ranges), so a limit
  // tighter on both counts comes back exactly as it was.
  const slower = a.limit * b.periodMs <= b.limit * a.periodMs ? a : b;
  const limit = Math.min(a.limit, b.limit);
  return { limit, periodMs: Math.ceil((limit * slower.periodMs) / slower.limit) };
}

/** The canonical text of a limit, in seconds: `{ limit: 10, periodMs: 3_600_000 }` → `10/3600s`. */
export function formatRateLimit(setting: NonNullable<RateLimitSetting>): string {
  return `${setting.limit}/${Math.round(setting.periodMs / 1000)}s`;
}

function settingSchema(fallback: string) {
  return z
    .string()
    .default(fallback)
    .transform((value, ctx): RateLimitSetting => {
      if (value.trim().toLowerCase() === "off") return null;
      const setting = parseRateLimit(value);
      if (!setting) {
        ctx.addIssue({ code: "custom", message: `must be ${RATE_LIMIT_SYNTAX} or "off"` });
        return z.NEVER;
      }
      return setting;
    });
}

/** zod fields for every policy var, to extend the configuration schema with. */
export const RATE_LIMIT_VARS = Object.fromEntries(
  Object.values(RATE_LIMIT_POLICIES).map((policy) => [policy.variable, settingSchema(policy.fallback)]),
) as Record<string, ReturnType<typeof settingSchema>>;

/** Picks each policy's parsed setting out of the parsed vars. */
export function rateLimitSettingsFrom(
  vars: Record<string, unknown>,
): Record<RateLimitPolicyName, RateLimitSetting> {
  return Object.fromEntries(
    RATE_LIMIT_POLICY_NAMES.map((name) => [
      name,
      vars[RATE_LIMIT_POLICIES[name].variable] as RateLimitSetting,
    ]),
  ) as Record<RateLimitPolicyName, RateLimitSetting>;
}
