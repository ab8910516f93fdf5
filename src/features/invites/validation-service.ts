import { AppError } from "../../platform/errors";
import { hashSecret } from "../../platform/secrets";
import type { Shared } from "../../shared";
import type { InviteEvents } from "./events";
import { effectiveState, type Invite, type InviteState } from "./invite";
import { isInviteCodeShaped } from "./invite-code";
import type { InviteRepository } from "./repository";

/** What a validation tells the holder of a code. */
export interface InviteValidation {
  invite: Invite;
  /** The invite's state now (`expirado` once past `data_expiracao`, before the cron writes it). */
  estado: InviteState;
  /** True only for `novo`: the code can be used. */
  valid: boolean;
}

export type InviteValidationDeps = Pick<Shared, "clock" | "metrics"> & {
  invites: InviteRepository;
  events: InviteEvents;
};

/**
 * `GET|POST /api/tokens/validate/`: the current state of the invite a code belongs to. Public,
 * so it answers only to the code (256 random bits, looked up by hash) and says nothing beyond
 * that invite. Every call is audited (the invite as target when the code is known; never the
 * code), timed in `tokens_validation_latency_seconds`, and a code that is unknown, expired, used
 * or revoked counts in `tokens_validation_fail_total{reason}`.
 */
export class InviteValidationService {
  constructor(private readonly deps: InviteValidationDeps) {}

  async validate(code: string, actorId: string | null = null): Promise<InviteValidation> {
    const { deps } = this;
    const stopTimer = deps.metrics.startTimer("tokens_validation_latency_seconds");
    try {
      // A string that is not shaped like a code cannot match one: no lookup, same answer.
      const invite = isInviteCodeShaped(code)
        ? await deps.invites.findByCodeHash(await hashSecret(code))
        : undefined;
      if (!invite) {
        deps.metrics.increment("tokens_validation_fail_total", { reason: "not_found" });
        await deps.events.audit("validate", "failure", { actorId, reason: "not_found" });
        throw new AppError("NOT_FOUND", "No invite has this code");
      }
      const estado = effectiveState(invite, deps.clock.now());
      if (estado === "novo") {
        await deps.events.audit("validate", "success", { actorId, invite });
      } else {
        const reason = estado === "expirado" ? "expired" : estado === "usado" ? "used" : "revoked";
        deps.metrics.increment("tokens_validation_fail_total", { reason });
        await deps.events.audit("validate", "failure", { actorId, invite, reason });
      }
      return { invite, estado, valid: estado === "novo" };
    } finally {
      stopTimer();
    }
  }
}
