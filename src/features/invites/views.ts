import type { z } from "@hono/zod-openapi";
import type { CreatedInvite } from "./creation-service";
import type { Invite } from "./invite";
import type { InvitePage } from "./query-service";
import type {
  CreatedInviteSchema,
  InvitePageSchema,
  InviteSchema,
  InviteValidationSchema,
  UsedInviteSchema,
} from "./schemas";
import type { UsedInvite } from "./usage-service";
import type { InviteValidation } from "./validation-service";

const iso = (date: Date | undefined | null) => (date ? date.toISOString() : null);

/** An invite on the wire (never its code or hash; the IPs of its use and revocation are in its logs). */
export function inviteView(invite: Invite): z.infer<typeof InviteSchema> {
  return {
    id: invite.id,
    code_prefix: invite.codePrefix,
    tipo_destino: invite.tipoDestino,
    role: invite.role,
    organizacao: invite.tenantSlug,
    organizacao_id: invite.tenantId,
    nucleos: invite.nucleos,
    data_expiracao: invite.dataExpiracao.toISOString(),
    estado: invite.estado,
    created_by: invite.createdBy,
    created_at: invite.createdAt.toISOString(),
    used_by: invite.used?.by ?? null,
    used_at: iso(invite.used?.at),
    revoked_by: invite.revoked?.by ?? null,
    revoked_at: iso(invite.revoked?.at),
  };
}

export function createdInviteView(created: CreatedInvite): z.infer<typeof CreatedInviteSchema> {
  return { ...inviteView(created.invite), codigo: created.code, daily_quota: created.quota };
}

export function invitePageView(page: InvitePage): z.infer<typeof InvitePageSchema> {
  return { items: page.items.map(inviteView), next_cursor: page.nextCursor };
}

export function validationView(validation: InviteValidation): z.infer<typeof InviteValidationSchema> {
  return {
    valido: validation.valid,
    estado: validation.estado,
    id: validation.invite.id,
    tipo_destino: validation.invite.tipoDestino,
    organizacao: validation.invite.tenantSlug,
    data_expiracao: validation.invite.dataExpiracao.toISOString(),
  };
}

export function usedInviteView(used: UsedInvite): z.infer<typeof UsedInviteSchema> {
  return {
    id: used.invite.id,
    estado: "usado",
    organizacao: used.invite.tenantSlug,
    organizacao_id: used.invite.tenantId,
    role: used.membership.role,
    nucleos: used.membership.nucleos,
    used_at: (used.invite.used?.at ?? used.invite.createdAt).toISOString(),
  };
}
