import { AppError } from "../../platform/errors";
import { constantTimeEqual, hashSecret } from "../../platform/secrets";
import type { Shared } from "../../shared";
import type { TenantMembership } from "../tenants/repository";
import type { InviteActor } from "./access";
import type { InviteEvents } from "./events";
import { effectiveState, type Invite, isInviteId } from "./invite";
import type { InviteRepository } from "./repository";

/** A consumed invite and what it made of its user. */
export interface UsedInvite {
  invite: Invite;
  /** The user's membership in the invite's tenant, after the use. */
  membership: TenantMembership;
}

export type InviteUsageDeps = Pick<Shared, "clock" | "client" | "metrics"> & {
  invites: InviteRepository;
  events: InviteEvents;
};

/**
 * `POST /api/tokens/{id}/use/`: a signed-in user presents the code (proof that the invite was
 * meant for them) and joins the invite's tenant with the profile's tenant role and `nucleos`. The
 * user's global role is never touched: a global role is an admin's decision
 * (`PUT /api/users/{id}/role`), and an invite issued by a tenant's gestor must not reach beyond
 * that tenant. One conditional statement consumes the invite, so of any number of concurrent uses
 * exactly one succeeds; the others get 409 (used), as do uses of a revoked invite; expired is 410;
 * an unknown id or a code that is not this invite's is 404.
 */
export class InviteUsageService {
  constructor(private readonly deps: InviteUsageDeps) {}

  async use(user: InviteActor, inviteId: string, code: string): Promise<UsedInvite> {
    const { deps } = this;
    const at = deps.clock.now();
    const codeHash = await hashSecret(code);
    const record = { by: user.userId, at, ...deps.client };
    // The success row commits with the use, and only if this call is the one that used it: a
    // concurrent use by the same user in the same millisecond also passes `consumedBy`, hence `once`.
    const audited = deps.events.statement(
      "use",
      "success",
      { actorId: user.userId, targetId: inviteId },
      {
        onlyIf: deps.invites.consumedBy(inviteId, user.userId, at),
        tenantIdFrom: deps.invites.tenantOf(inviteId),
        once: true,
      },
    );
    // A malformed code cannot match (its hash is no code's hash); the unit still reports the invite.
    const outcome = await deps.invites.use(inviteId, codeHash, record, [audited]);
    const { invite } = outcome;
    if (outcome.changed && invite) {
      deps.metrics.increment("tokens_invites_used_total");
      deps.events.announce({ event: "invite.used", id: invite.id });
      return { invite, membership: outcome.membership ?? { role: invite.role, nucleos: invite.nucleos } };
    }

    if (!invite || !(await constantTimeEqual(codeHash, invite.codeHash))) {
      await deps.events.audit("use", "failure", {
        actorId: user.userId,
        invite: invite && { id: invite.id, tenantId: invite.tenantId },
        targetId: isInviteId(inviteId) ? inviteId : null,
        reason: invite ? "code_mismatch" : "not_found",
      });
      throw new AppError("NOT_FOUND", "No invite has this id and code");
    }
    const estado = effectiveState(invite, at);
    await deps.events.audit("use", "failure", { actorId: user.userId, invite, reason: estado });
    if (estado === "expirado") throw new AppError("GONE", "The invite has expired");
    if (estado === "usado") throw new AppError("CONFLICT", "The invite has already been used");
    if (estado === "revogado") throw new AppError("CONFLICT", "The invite has been revoked");
    // Still new yet not consumed: only a state change between the two statements explains it.
    throw new AppError("CONFLICT", "The invite changed while it was being used; try again");
  }
}
