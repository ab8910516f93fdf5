import { AppError } from "../../platform/errors";
import type { Principal } from "../authorization/principal";
import type { Tenant, TenantRepository, TenantRole } from "../tenants/repository";
import { tenantRoleAtLeast } from "../tenants/roles";
import type { Invite } from "./invite";
import type { InviteVisibility } from "./repository";

/** Who is acting on invites: the principal's user and current global role. */
export type InviteActor = Pick<Principal, "userId" | "role">;

/** The tenant a new invite goes to, and the tenant role its issuer holds there. */
export interface InviteTarget {
  tenant: Tenant;
  /**
   * What the issuer may grant in this tenant (SPEC: nobody grants more than they hold). Root and a
   * global admin hold `admin` (they act as every tenant's admin, as `TenantAccessResolver` says);
   * anyone else holds the lower of their global role and their role in the tenant, so a global
   * gestor who is a plain member of a tenant cannot make themselves, or anyone, its gestor.
   */
  held: TenantRole;
}

/**
 * Who may see and act on which invites. Root sees every invite; anyone else sees the invites of
 * the tenants they belong to (the route's permission already demands gestor or above), and an
 * invite they may not see is a 404, never a 403, so its existence does not leak across tenants.
 */
export class InviteAccess {
  constructor(private readonly tenants: Pick<TenantRepository, "findByRef" | "tenantsOf" | "roleIn">) {}

  /** The listing scope of `actor`. */
  visibility(actor: InviteActor): InviteVisibility {
    return actor.role === "root" ? { all: true } : { memberOf: actor.userId };
  }

  /** Whether `actor` may see `invite` (root, or a member of its tenant). */
  async canSee(actor: InviteActor, invite: Pick<Invite, "tenantId">): Promise<boolean> {
    if (actor.role === "root") return true;
    return (await this.tenants.roleIn(actor.userId, invite.tenantId)) !== undefined;
  }

  /**
   * The tenant a new invite goes to. Named (`organizacao`, slug or id): it must be one the issuer
   * belongs to (root: any existing one); a non-member gets the same 403 whether or not the tenant
   * exists, so tenants cannot be discovered this way. Not named: the issuer's only tenant; with
   * none or several, a 400 asking to name one.
   */
  async targetForNewInvite(actor: InviteActor, organizacao: string | undefined): Promise<InviteTarget> {
    if (actor.role === "root") {
      if (organizacao === undefined) return { tenant: await this.onlyTenantOf(actor), held: "admin" };
      const tenant = await this.tenants.findByRef(organizacao);
      if (tenant) return { tenant, held: "admin" };
      throw fieldError("organizacao", "no organisation has this slug or id");
    }
    const tenant =
      organizacao === undefined ? await this.onlyTenantOf(actor) : await this.tenants.findByRef(organizacao);
    const membership = tenant && (await this.tenants.roleIn(actor.userId, tenant.id));
    if (!tenant || !membership) {
      throw new AppError("FORBIDDEN", "You can only invite into an organisation you belong to");
    }
    return { tenant, held: heldRole(actor.role, membership.role) };
  }

  private async onlyTenantOf(actor: InviteActor): Promise<Tenant> {
    const own = await this.tenants.tenantsOf(actor.userId);
    if (own.length === 1) return own[0]!;
    throw fieldError(
      "organizacao",
      own.length === 0
        ? "is required: you belong to no organisation"
        : `is required: you belong to ${own.length} organisations (${own.map((tenant) => tenant.slug).join(", ")})`,
    );
  }
}

/** The tenant role a non-root issuer acts with: see `InviteTarget.held`. */
function heldRole(global: InviteActor["role"], inTenant: TenantRole): TenantRole {
  if (global === "admin") return "admin";
  const globalAsTenantRole: TenantRole = global === "gestor" ? "gestor" : "usuario";
  return tenantRoleAtLeast(inTenant, globalAsTenantRole) ? globalAsTenantRole : inTenant;
}

/** A 400 on one body field. */
export function fieldError(field: string, message: string): AppError {
  return new AppError("VALIDATION_FAILED", `${field} ${message}`, {
    errors: [{ field: `body.${field}`, message }],
  });
}
