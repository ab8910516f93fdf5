import { z } from "@hono/zod-openapi";
import { TENANT_ROLES, TENANT_SLUG } from "./repository";

/** Request and response schemas of the tenant routes (snake_case, as seed 004 names fields). */

const TimeoutSchema = z.number().int().min(60).max(86_400).openapi({
  description: "Seconds a tenant session lives, counted from login (60..86400)",
  example: 3600,
});

const SlugSchema = z
  .string()
  .regex(TENANT_SLUG, "must be 1..63 lowercase letters, digits or inner hyphens")
  .openapi({ example: "acme" });

export const TenantSlugParams = z.object({
  tenant_slug: z
    .string()
    .min(1)
    .max(80)
    .openapi({ param: { name: "tenant_slug", in: "path" }, example: "acme" }),
});

export const AdminSlugParams = z.object({
  slug: z
    .string()
    .min(1)
    .max(80)
    .openapi({ param: { name: "slug", in: "path" }, example: "acme" }),
});

export const AgentParams = TenantSlugParams.extend({
  agent_id: z
    .string()
    .min(1)
    .max(40)
    .openapi({
      param: { name: "agent_id", in: "path" },
      description: "The agent's user id",
      example: "usr_01kb…",
    }),
});

export const CreateTenantBody = z
  .object({
    slug: SlugSchema,
    name: z.string().trim().min(1, "is required").max(200, "must be at most 200 characters"),
    session_timeout_seconds: TimeoutSchema.nullish(),
    mfa_required: z.boolean().default(false),
  })
  .openapi("CreateTenantRequest");

export const UpdateTenantBody = z
  .object({
    name: z.string().trim().min(1, "is required").max(200, "must be at most 200 characters").optional(),
    status: z.enum(["active", "disabled"]).optional(),
    session_timeout_seconds: TimeoutSchema.nullish().openapi({
      description: "Null: back to the operator's TENANT_SESSION_TIMEOUT",
    }),
    mfa_required: z.boolean().optional(),
  })
  .openapi("UpdateTenantRequest");

export const TenantSchema = z
  .object({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    status: z.enum(["active", "disabled"]),
    session_timeout_seconds: z.number().int().openapi({ description: "The effective timeout" }),
    session_timeout_is_default: z.boolean(),
    mfa_required: z.boolean(),
    created_at: z.string().openapi({ format: "date-time" }),
    updated_at: z.string().nullable().openapi({ format: "date-time" }),
  })
  .openapi("Tenant");

export const TenantPageSchema = z
  .object({ items: z.array(TenantSchema), next_cursor: z.string().nullable() })
  .openapi("TenantPage");

export const ListTenantsQuery = z.object({
  cursor: z.string().max(120).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const TenantLoginBody = z
  .object({
    email: z.email("must be an e-mail address").max(254).openapi({ example: "agente@example.com" }),
    password: z.string().min(1, "is required").max(1024, "is too long"),
  })
  .openapi("TenantLoginRequest");

export const MfaVerifyBody = z
  .object({
    session_id: z.string().min(1, "is required").max(100, "is too long"),
    code: z.string().trim().min(1, "is required").max(64, "is too long").openapi({ example: "123456" }),
    method: z.enum(["totp", "recovery", "email"]).openapi({
      description:
        "`totp`: the authenticator app's code (each accepted once); `recovery`: an unused recovery code; `email`: the code e-mailed at login",
    }),
  })
  .openapi("TenantMFAVerificationRequest");

export const TenantLoginResponseSchema = z
  .object({
    session_id: z
      .string()
      .openapi({ description: "The session's secret id; send it to mfa/verify while pending" }),
    agent_id: z.string(),
    mfa_required: z.boolean(),
    expires_at: z.string().openapi({ format: "date-time" }),
    expires_in: z.number().int().openapi({ description: "Seconds left until expires_at" }),
    session_timeout_seconds: z.number().int(),
    access_token: z.string().optional().openapi({
      description:
        "Only when the session is active: an RS256 JWT (`typ: tenant+jwt`, claims `tenant`, `tenant_id`, `role`, `sid`), valid until expires_at",
    }),
    token_type: z.literal("Bearer").optional(),
  })
  .openapi("TenantLoginResponse");

export const RoleAssignmentSchema = z
  .object({ agent_id: z.string(), agent_email: z.string(), role: z.enum(TENANT_ROLES) })
  .openapi("RoleAssignmentRead");

export const RoleAssignmentBody = z.object({ role: z.enum(TENANT_ROLES) }).openapi("RoleAssignmentUpdate");
