import { AppError } from "../../platform/errors";
import { hashSecret } from "../../platform/secrets";
import type { Shared } from "../../shared";
import type { InviteAccess, InviteActor } from "./access";
import type { InviteEvents } from "./events";
import { effectiveState, type Invite, isInviteId } from "./invite";
import { INVITE_CODE_PREFIX, isInviteCodeShaped } from "./invite-code";
import type { InviteRepository } from "./repository";

export type InviteRevocationDeps = Pick<Shared, "clock" | "client" | "metrics"> & {
  invites: InviteRepository;
  access: InviteAccess;
  events: InviteEvents;
};

/**
 * `POST /api/tokens/{codigo_or_id}/revogar/`: revokes a `novo` invite, named by its id or by its
 * code (seed 000's form). Admin and root revoke any invite they can see, a gestor only those they
 * created (seed 001: "não revoga tokens alheios"); an invite the caller cannot see is 404. Who,
 * when, IP and user agent are kept on the invite and in the audit row. Revoking an invite already
 * used or revoked is 409; an expired one, 410.
 */
export class InviteRevocationService {
  constructor(private readonly deps: InviteRevocationDeps) {}

  async revoke(actor: InviteActor, codeOrId: string): Promise<Invite> {
    const { deps } = this;
    const byCode = codeOrId.startsWith(INVITE_CODE_PREFIX);
    const found = byCode
      ? isInviteCodeShaped(codeOrId)
        ? await deps.invites.findByCodeHash(await hashSecret(codeOrId))
        : undefined
      : await deps.invites.findById(codeOrId);
    if (!found || !(await deps.access.canSee(actor, found))) {
      // The path may hold a code: it never reaches the audit row.
      await deps.events.audit("revoke", "failure", {
        actorId: actor.userId,
        targetId: isInviteId(codeOrId) ? codeOrId : null,
        reason: "not_found",
      });
      throw new AppError("NOT_FOUND", "No invite with this id or code");
    }
    if (actor.role === "gestor" && found.createdBy !== actor.userId) {
      await deps.events.audit("revoke", "failure", {
        actorId: actor.userId,
        invite: found,
        reason: "not_creator",
      });
      throw new AppError("FORBIDDEN", "A gestor can only revoke invites they created");
    }

    const at = deps.clock.now();
    // The success row commits with the revocation, and only if this call is the one that revoked it
    // (`once`: a concurrent revocation by the same actor in the same millisecond passes `revokedBy`).
    const audited = deps.events.statement(
      "revoke",
      "success",
      { actorId: actor.userId, invite: found },
      { onlyIf: deps.invites.revokedBy(found.id, actor.userId, at), once: true },
    );
    const record = { by: actor.userId, at, ...deps.client };
    const { changed, invite } = await deps.invites.revoke(found.id, record, [audited]);
    if (changed && invite) {
      deps.metrics.increment("tokens_invites_revoked_total");
      deps.events.announce({ event: "invite.revoked", id: invite.id });
      return invite;
    }
    const estado = effectiveState(invite ?? found, at);
    await deps.events.audit("revoke", "failure", { actorId: actor.userId, invite: found, reason: estado });
    if (estado === "expirado") throw new AppError("GONE", "The invite has expired");
    throw new AppError("CONFLICT", `The invite is ${estado}; only a new invite can be revoked`);
  }
}
