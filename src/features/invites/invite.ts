import type { TenantRole } from "../tenants/repository";
import type { InviteProfile } from "./profiles";

/** `novo` → `usado` | `revogado` | `expirado`; only `novo` can change. */
export const INVITE_STATES = ["novo", "usado", "revogado", "expirado"] as const;
export type InviteState = (typeof INVITE_STATES)[number];

/** `nucleos` as the issuer gave them: a JSON array of names or numbers. */
export type Nucleos = (string | number)[];

/** Who did something to an invite, from where. */
export interface InviteActorRecord {
  by: string;
  at: Date;
  ip: string | null;
  userAgent: string | null;
}

/** One invite as stored, with its tenant's slug. The code itself is never kept. */
export interface Invite {
  id: string;
  codeHash: string;
  codePrefix: string;
  tipoDestino: InviteProfile;
  /** The tenant role `tipoDestino` mapped to when the invite was made. */
  role: TenantRole;
  tenantId: string;
  tenantSlug: string;
  nucleos: Nucleos | null;
  dataExpiracao: Date;
  /** The stored state; see `effectiveState` for what it is now. */
  estado: InviteState;
  createdBy: string;
  createdAt: Date;
  used: InviteActorRecord | null;
  revoked: InviteActorRecord | null;
}

/**
 * The state an invite is in at `now`: a `novo` invite past `data_expiracao` is `expirado` even
 * before the cron step writes it, so no reader ever treats an expired invite as usable.
 */
export function effectiveState(invite: Pick<Invite, "estado" | "dataExpiracao">, now: Date): InviteState {
  if (invite.estado === "novo" && invite.dataExpiracao.getTime() <= now.getTime()) return "expirado";
  return invite.estado;
}

const INVITE_ID = /^inv_[0-9a-hjkmnp-tv-z]{26}$/;

/** True for a string shaped like an invite id: only those are kept as an audit row's target. */
export function isInviteId(text: string): boolean {
  return INVITE_ID.test(text);
}
