import { z } from "@hono/zod-openapi";
import { formatCidr, parseCidr, parseIpAddress } from "../../platform/ip-address";
import { PERMISSION_NAMES, PERMISSIONS, type PermissionRule } from "../authorization/permissions";
import { scopesUpTo } from "../authorization/principal";
import { formatRateLimit, parseRateLimit, RATE_LIMIT_SYNTAX } from "../rate-limit/policies";
import { API_TOKEN_SCOPES } from "./api-token";
import { checkApiTokenFormat } from "./token-format";

/** Request and response schemas of the API-token routes; field names follow seed 003 (snake_case). */

const MAX_ALLOWED_IPS = 50;

const ScopeSchema = z.enum(API_TOKEN_SCOPES).openapi({
  description:
    "`read`: safe methods only; `write`: also changes; `admin`: admin operations too (needs an admin or root owner)",
  example: "write",
});

/** One allow-list entry: a CIDR block, or a single address meaning its /32 or /128. */
const AllowedIpSchema = z
  .string()
  .trim()
  .max(64, "is too long")
  .transform((value, ctx) => {
    const single = parseIpAddress(value);
    const parsed = parseCidr(single ? `${value}/${single.bytes.length * 8}` : value);
    if (!parsed.ok) {
      ctx.addIssue({ code: "custom", message: `is not an IPv4 or IPv6 address or CIDR: ${parsed.reason}` });
      return z.NEVER;
    }
    return formatCidr(parsed.cidr);
  });

const RateLimitSchema = z
  .string()
  .max(32, "is too long")
  .transform((value, ctx) => {
    const setting = parseRateLimit(value);
    if (!setting) {
      ctx.addIssue({ code: "custom", message: `must be ${RATE_LIMIT_SYNTAX}` });
      return z.NEVER;
    }
    return formatRateLimit(setting);
  });

export const CreateApiTokenBody = z
  .object({
    nome: z
      .string()
      .trim()
      .min(1, "is required")
      .max(100, "must be at most 100 characters")
      .openapi({ example: "Deploy do CI" }),
    descricao: z
      .string()
      .trim()
      .max(500, "must be at most 500 characters")
      .nullish()
      .openapi({ example: "Publica as builds" }),
    scope: ScopeSchema,
    expires_at: z.iso
      .datetime({ offset: true, message: "must be an ISO 8601 date-time with a time zone" })
      .transform((value) => new Date(value))
      .nullish()
      .openapi({
        type: "string",
        format: "date-time",
        description: "When the token stops working; in the future. Omitted or null: never expires",
        example: "2027-01-01T00:00:00Z",
      }),
    permissions: z
      .array(z.enum(PERMISSION_NAMES))
      .min(1, "must name at least one operation; leave it out for everything the scope allows")
      .max(PERMISSION_NAMES.length)
      .transform((names) => [...new Set(names)])
      .nullish()
      .openapi({
        description:
          "Narrows the token to these operations of the catalogue (docs/api-tokens.md); each must be open to API tokens and within the scope",
        example: ["invites:read"],
      }),
    allowed_ips: z
      .array(AllowedIpSchema)
      .min(1, "must list at least one address; leave it out to allow any")
      .max(MAX_ALLOWED_IPS, `must list at most ${MAX_ALLOWED_IPS} entries`)
      .transform((cidrs) => [...new Set(cidrs)])
      .nullish()
      .openapi({
        description:
          "IPv4 and IPv6 addresses or CIDR blocks the token may be used from (checked against CF-Connecting-IP); others get 403",
        example: ["203.0.113.0/24", "2001:db8::/32"],
      }),
    rate_limit: RateLimitSchema.nullish().openapi({
      type: "string",
      description:
        "This token's own request budget, `<requests>/<period>s|m|h` (GCRA: a burst, then evenly spread); over it, 429. It narrows the service's limit for API tokens (RATE_LIMIT_API_TOKEN), never lifts it",
      example: "100/60s",
    }),
  })
  .superRefine((body, ctx) => {
    const allowed = scopesUpTo(body.scope);
    for (const [index, name] of (body.permissions ?? []).entries()) {
      const rule: PermissionRule = PERMISSIONS[name];
      const problem =
        rule.apiTokens === false
          ? "is never open to API tokens"
          : !allowed.includes(rule.scope)
            ? `needs the ${rule.scope} scope`
            : undefined;
      if (problem) ctx.addIssue({ code: "custom", path: ["permissions", index], message: problem });
    }
  })
  .openapi("CreateApiTokenRequest");

/** What a client sees of a token; the token itself appears only in the creation response. */
export const ApiTokenSchema = z
  .object({
    id: z.string().openapi({ example: "tok_06h0j4mzd049b7r6qr1w6tgk9w" }),
    user_id: z.string().openapi({ description: "The owner" }),
    nome: z.string(),
    descricao: z.string().nullable(),
    scope: ScopeSchema,
    permissions: z.array(z.string()).nullable().openapi({ description: "null: all the scope allows" }),
    allowed_ips: z.array(z.string()).nullable().openapi({ description: "null: any address" }),
    rate_limit: z.string().nullable().openapi({ description: "null: no limit of its own" }),
    token_start: z.string().openapi({
      description: "The prefix and first random characters, to tell tokens apart",
      example: "eat_xK9mP2",
    }),
    status: z.enum(["active", "expired", "revoked"]),
    created_at: z.iso.datetime(),
    expires_at: z.iso.datetime().nullable(),
    last_used_at: z.iso.datetime().nullable().openapi({ description: "Recorded at most once a minute" }),
    revoked_at: z.iso.datetime().nullable(),
    revoked_by: z.string().nullable().openapi({ description: "Who revoked it; null for a leak report" }),
    revoked_reason: z.enum(["revoked", "leaked"]).nullable(),
  })
  .openapi("ApiToken");

export const CreatedApiTokenSchema = ApiTokenSchema.extend({
  message: z.string(),
  token: z.string().openapi({
    description: "The token: shown in this response only, never again",
    example: "eat_xK9mP2qR7vT4wY8zA1bC3dE5fG6hI0jK2lM4nO6pQ8rS0tU0a1B2c",
  }),
}).openapi("CreatedApiToken");

export const ApiTokenPageSchema = z
  .object({
    tokens: z.array(ApiTokenSchema),
    next_cursor: z
      .string()
      .nullable()
      .openapi({ description: "Pass as `cursor` for the next page; null on the last" }),
  })
  .openapi("ApiTokenPage");

export const ListApiTokensQuery = z.object({
  user_id: z
    .string()
    .max(40)
    .optional()
    .openapi({ description: "Another user's tokens (admin and root); default: the caller's own" }),
  cursor: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const LeakReportBody = z
  .object({
    token: z
      .string()
      .max(200, "is too long")
      .refine((value) => checkApiTokenFormat(value) === "ok", {
        message: "is not an API token of this service (prefix, length or checksum)",
      })
      .openapi({ description: "The token as found", example: "eat_…" }),
  })
  .openapi("LeakedApiTokenReport");
