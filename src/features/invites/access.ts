import { AppError } from "../../platform/errors";
import type { Principal } from "../authorization/principal";
import type { Tenant, TenantRepository } from "../tenants/repository";
import type { Invite } from "./invite";
import type { InviteVisibility } from "./repository";

/** Who is acting on invites: the principal's user and current global role. */
export type InviteActor = Pick<Principal, "userId" | "role">;

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
  async tenantForNewInvite(actor: InviteActor, organizacao: string | undefined): Promise<Tenant> {
    if (organizacao !== undefined) {
      const tenant = await this.tenants.findByRef(organizacao);
      if (actor.role === "root") {
        if (tenant) return tenant;
        throw fieldError("organizacao", "no organisation has this slug or id");
      }
      if (tenant && (await this.tenants.roleIn(actor.userId, tenant.id))) return tenant;
      throw new AppError("FORBIDDEN", "You can only invite into an organisation you belong to");
    }
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

/** A 400 on one body field. */
export function fieldError(field: string, message: string): AppError {
  return new AppError("VALIDATION_FAILED", `${field} ${message}`, {
    errors: [{ field: `body.${field}`, message }],
  });
}
