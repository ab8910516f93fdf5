import { roleAtLeast } from "../authorization/principal";
import type { TenantRole } from "../tenants/repository";
import type { Role } from "../users/user";

/**
 * What each `tipo_destino` (the profile an invite offers) makes its user in the invite's tenant.
 * Seed 001's minimal invite is `{"tipo_destino":"associado"}`; members and collaborators are plain
 * users, `gestor` and `admin` are the tenant roles of the same names. `root` is a global role that
 * no invite can give.
 */
export const INVITE_PROFILES = {
  associado: "usuario",
  colaborador: "usuario",
  gestor: "gestor",
  admin: "admin",
} as const satisfies Record<string, TenantRole>;

/** One of the profiles of `INVITE_PROFILES`. */
export type InviteProfile = keyof typeof INVITE_PROFILES;

/** Every profile name, for request validation and the OpenAPI enum. */
export const INVITE_PROFILE_NAMES = Object.keys(INVITE_PROFILES) as [InviteProfile, ...InviteProfile[]];

/**
 * Whether an issuer with this global role may invite to this profile: only to roles at or below
 * their own (a gestor invites associados, colaboradores and gestores; an admin also admins).
 */
export function mayInviteTo(issuer: Role, profile: InviteProfile): boolean {
  return roleAtLeast(issuer, INVITE_PROFILES[profile]);
}
