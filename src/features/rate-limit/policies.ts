import { z } from "zod";
import { DAY_MS } from "../../platform/clock";

/**
 * Where a policy finds the client it limits: the connecting IP, a field of the JSON body, the pair
 * of both (one identifier as tried from one client), or the signed-in user.
 */
export type RateLimitKey =
  | { kind: "ip" }
  | { kind: "body"; field: string }
  | { kind: "bodyAndIp"; field: string }
  | { kind: "user" };

/** Keys on `CF-Connecting-IP` (an IPv6 client is limited per /64); never `X-Forwarded-For`. */
export const byClientIp: RateLimitKey = { kind: "ip" };

/** Keys on a JSON body field (e.g. the login identifier), normalised and hashed. */
export function byBodyField(field: string): RateLimitKey {
  return { kind: "body", field };
}

/**
 * Keys on a JSON body field together with the client IP: the budget of one identifier as tried
 * from one client, which nobody elsewhere can spend.
 */
export function byBodyFieldAndClientIp(field: string): RateLimitKey {
  return { kind: "bodyAndIp", field };
}

/** Keys on the authenticated user (the policy goes after `authenticate()` in the route). */
export const byUser: RateLimitKey = { kind: "user" };

/** One policy: its variable, default, key and route, and how it counts. */
export interface PolicyDefinition {
  /** The var that sets this policy's limit, e.g. `RATE_LIMIT_LOGIN_IP = "30/60s"`, or `"off"`. */
  variable: string;
  /** The limit when the var is absent: `<requests>/<period><s|m|h>`. */
  fallback: string;
  key: RateLimitKey;
  /** The route template the policy guards; its `tokens_rate_limited_total` series exists from start. */
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

function settingSchema(fallback: string) {
  return z
    .string()
    .default(fallback)
    .transform((value, ctx): RateLimitSetting => {
      const text = value.trim().toLowerCase();
      if (text === "off") return null;
      const match = SETTING.exec(text);
      const limit = Number(match?.[1]);
      const periodMs = Number(match?.[2]) * UNIT_MS[(match?.[3] ?? "s") as keyof typeof UNIT_MS];
      if (!match || limit < 1 || periodMs < 1000 || periodMs > 7 * DAY_MS) {
        ctx.addIssue({
          code: "custom",
          message: 'must be "<requests>/<period>s|m|h" (period 1s..7d) or "off"',
        });
        return z.NEVER;
      }
      return { limit, periodMs };
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
