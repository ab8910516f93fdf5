import { z } from "@hono/zod-openapi";
import { DAY_MS } from "../../platform/clock";
import { TENANT_ROLES } from "../tenants/repository";
import { INVITE_STATES } from "./invite";
import { INVITE_PROFILE_NAMES } from "./profiles";

/** Request and response schemas of the invite routes (they also document the API). */

const CODE_EXAMPLE = "eiv_3q2mZ1vV9xR0bW7cK4pT8nL6hJ5gF2dS1aQ0wE9rT7y";
const ID_EXAMPLE = "inv_06h0j4mzd049b7r6qr1w6tgk9w";

/** An invite code as submitted; its shape is checked by the service, so a bad one is a plain 404. */
export const InviteCodeSchema = z
  .string()
  .min(1, "is required")
  .max(200, "is too long")
  .openapi({ description: "The invite's code (`eiv_…`, 47 characters)", example: CODE_EXAMPLE });

export const InviteIdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "id", in: "path" }, example: ID_EXAMPLE }),
});

export const CodeOrIdParams = z.object({
  codigo_or_id: z
    .string()
    .min(1)
    .max(200)
    .openapi({
      param: { name: "codigo_or_id", in: "path" },
      description:
        "The invite's id (`inv_…`, preferred: it keeps the code out of URLs) or its code (`eiv_…`)",
      example: ID_EXAMPLE,
    }),
});

const NucleosSchema = z
  .array(z.union([z.string().trim().min(1).max(100), z.number().int()]))
  .max(100, "at most 100 núcleos")
  .openapi({ description: "Núcleos the invitee joins, by name or number", example: ["norte", 12] });

/**
 * `data_expiracao`: a date (`2026-12-31`: valid through that UTC day) or a date-time with an offset.
 */
const ExpirySchema = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })])
  .transform((text) =>
    text.length === 10 ? new Date(Date.parse(`${text}T00:00:00Z`) + DAY_MS) : new Date(Date.parse(text)),
  )
  .openapi({
    description:
      "When the invite expires: a date (valid through that day, UTC) or an ISO 8601 date-time. Default: `INVITE_TTL` from now; at most 365 days ahead; a past value is 400.",
    example: "2026-12-31",
  });

export const CreateInviteBody = z
  .object({
    tipo_destino: z.enum(INVITE_PROFILE_NAMES).openapi({
      description:
        "The profile offered: associado and colaborador make the invitee a `usuario` of the organisation, gestor a `gestor`, admin an `admin`. Only profiles at or below the issuer's own role.",
    }),
    organizacao: z
      .union([z.string().trim().min(1).max(100), z.number().int().nonnegative()])
      .transform(String)
      .optional()
      .openapi({
        description:
          "The organisation (tenant) by slug or id. Absent: the issuer's only organisation (400 when they have none or several).",
        example: "default",
      }),
    nucleos: NucleosSchema.nullable().optional(),
    data_expiracao: ExpirySchema.optional(),
  })
  .openapi("CreateInviteRequest");

export const InviteSchema = z
  .object({
    id: z.string().openapi({ example: ID_EXAMPLE }),
    code_prefix: z
      .string()
      .openapi({ description: "The code's first characters, to tell codes apart", example: "eiv_3q2m" }),
    tipo_destino: z.enum(INVITE_PROFILE_NAMES),
    role: z.enum(TENANT_ROLES).openapi({ description: "The organisation role the profile gives" }),
    organizacao: z.string().openapi({ description: "The organisation's slug", example: "default" }),
    organizacao_id: z.string().openapi({ example: "tnt_06h0j4mzd049b7r6qr1w6tgk9w" }),
    nucleos: z.array(z.union([z.string(), z.number()])).nullable(),
    data_expiracao: z.iso.datetime(),
    estado: z
      .enum(INVITE_STATES)
      .openapi({ description: "The state now (`expirado` once past `data_expiracao`)" }),
    created_by: z.string(),
    created_at: z.iso.datetime(),
    used_by: z.string().nullable(),
    used_at: z.iso.datetime().nullable(),
    revoked_by: z.string().nullable(),
    revoked_at: z.iso.datetime().nullable(),
  })
  .openapi("Invite");

export const CreatedInviteSchema = InviteSchema.extend({
  codigo: z.string().openapi({
    description: "The code to hand to the invitee. Shown only in this response; only its hash is stored.",
    example: CODE_EXAMPLE,
  }),
  daily_quota: z
    .object({ limit: z.number().int(), used: z.number().int(), remaining: z.number().int() })
    .openapi({ description: "The issuer's invites today (UTC) after this one" }),
}).openapi("CreatedInvite");

export const InviteValidationSchema = z
  .object({
    valido: z.boolean().openapi({ description: "True only when `estado` is `novo`" }),
    estado: z.enum(INVITE_STATES),
    id: z.string().openapi({ description: "The id to use the invite with", example: ID_EXAMPLE }),
    tipo_destino: z.enum(INVITE_PROFILE_NAMES),
    organizacao: z.string(),
    data_expiracao: z.iso.datetime(),
  })
  .openapi("InviteValidation");

export const ValidateInviteBody = z.object({ codigo: InviteCodeSchema }).openapi("ValidateInviteRequest");
export const ValidateInviteQuery = z.object({ codigo: InviteCodeSchema });

export const UseInviteBody = z
  .object({ codigo: InviteCodeSchema })
  .openapi("UseInviteRequest", { description: "Any other field (a `role`, say) is ignored" });

export const UsedInviteSchema = z
  .object({
    id: z.string(),
    estado: z.literal("usado"),
    organizacao: z.string(),
    organizacao_id: z.string(),
    role: z.enum(TENANT_ROLES).openapi({
      description: "The user's role in the organisation now (an invite never lowers an existing one)",
    }),
    nucleos: z.array(z.unknown()).nullable(),
    used_at: z.iso.datetime(),
  })
  .openapi("UsedInvite");

const LimitQuery = z.coerce.number().int().min(1).max(100).default(20).openapi({ example: 20 });
const CursorQuery = z
  .string()
  .min(1)
  .max(200)
  .optional()
  .openapi({ description: "`next_cursor` of the previous page" });

export const ListInvitesQuery = z.object({
  estado: z.enum(INVITE_STATES).optional(),
  organizacao: z.string().min(1).max(100).optional().openapi({ description: "Organisation slug or id" }),
  criado_por: z.string().min(1).max(64).optional().openapi({ description: "Creator's user id" }),
  cursor: CursorQuery,
  limit: LimitQuery,
});

export const InvitePageSchema = z
  .object({ items: z.array(InviteSchema), next_cursor: z.string().nullable() })
  .openapi("InvitePage");

export const PageQuery = z.object({ cursor: CursorQuery, limit: LimitQuery });
