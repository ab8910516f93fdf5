import { DAY_MS } from "../../platform/clock";
import { AppError } from "../../platform/errors";
import { newId } from "../../platform/ids";
import type { Shared } from "../../shared";
import { INVITE_DAILY_CAP_POLICY } from "../metrics/catalog";
import { tenantRoleAtLeast } from "../tenants/roles";
import { fieldError, type InviteAccess, type InviteActor, type InviteTarget } from "./access";
import type { InviteEvents } from "./events";
import type { Invite, Nucleos } from "./invite";
import { generateInviteCode } from "./invite-code";
import { INVITE_PROFILES, type InviteProfile, mayInviteTo } from "./profiles";
import type { QuotaDecision } from "./quota";
import type { InviteRepository } from "./repository";

/** The furthest ahead `data_expiracao` may be: an invite is for someone expected soon. */
export const MAX_INVITE_LIFETIME_MS = 365 * DAY_MS;

/** The route the daily cap's 429 is counted under in `tokens_rate_limited_total`. */
const CREATE_ROUTE = "/api/tokens/";

/** What a create request asks for, validated for shape by the route. */
export interface CreateInviteInput {
  tipoDestino: InviteProfile;
  /** A tenant slug or id; absent means the issuer's own. */
  organizacao?: string;
  nucleos?: Nucleos;
  dataExpiracao?: Date;
}

/** A new invite with its code (shown once) and the issuer's quota after it. */
export interface CreatedInvite {
  invite: Invite;
  code: string;
  quota: Pick<QuotaDecision, "limit" | "used" | "remaining">;
}

export type InviteCreationDeps = Pick<
  Shared,
  "config" | "clock" | "random" | "logger" | "metrics" | "inviteQuota"
> & { invites: InviteRepository; access: InviteAccess; events: InviteEvents };

/**
 * Creates invites. The order is chosen so that only a request that will be accepted spends a slot
 * of the daily cap: shape and dates, then who may invite to what and where, then one atomic
 * reservation in the issuer's `InviteQuota`, then the insert; if the insert fails the slot is
 * given back. Every refusal and the success are audited; the success is counted and announced.
 */
export class InviteCreationService {
  constructor(private readonly deps: InviteCreationDeps) {}

  async create(issuer: InviteActor, input: CreateInviteInput): Promise<CreatedInvite> {
    const { deps } = this;
    const now = deps.clock.now();
    const refuse = async (reason: string, error: AppError, tenantId: string | null = null) => {
      await deps.events.audit("create", "failure", {
        actorId: issuer.userId,
        reason,
        tenantId,
        metadata: { tipo_destino: input.tipoDestino },
      });
      return error;
    };

    const expiresAt = input.dataExpiracao ?? new Date(now.getTime() + deps.config.inviteTtl * 1000);
    if (expiresAt.getTime() <= now.getTime()) {
      throw await refuse("expiry_in_past", fieldError("data_expiracao", "must be in the future"));
    }
    if (expiresAt.getTime() > now.getTime() + MAX_INVITE_LIFETIME_MS) {
      throw await refuse("expiry_too_far", fieldError("data_expiracao", "must be at most 365 days ahead"));
    }
    if (!mayInviteTo(issuer.role, input.tipoDestino)) {
      throw await refuse(
        "profile_above_role",
        new AppError("FORBIDDEN", `A ${issuer.role} cannot invite to the ${input.tipoDestino} profile`),
      );
    }
    let target: InviteTarget;
    try {
      target = await deps.access.targetForNewInvite(issuer, input.organizacao);
    } catch (error) {
      if (error instanceof AppError) throw await refuse("organisation_refused", error);
      throw error;
    }
    const { tenant, held } = target;
    // Seed 001: gestores emit invites; a plain member of this tenant does not, whatever their
    // global role, and nobody offers a tenant role above the one they hold there.
    if (!tenantRoleAtLeast(held, "gestor") || !tenantRoleAtLeast(held, INVITE_PROFILES[input.tipoDestino])) {
      throw await refuse(
        "profile_above_tenant_role",
        new AppError(
          "FORBIDDEN",
          `In ${tenant.slug} you hold the ${held} role: inviting needs gestor there, and at most your own role`,
        ),
        tenant.id,
      );
    }

    const quota = await this.reserve(issuer.userId);
    if (!quota.allowed) {
      deps.metrics.increment("tokens_rate_limited_total", {
        route: CREATE_ROUTE,
        policy: INVITE_DAILY_CAP_POLICY,
      });
      const retryAfter = Math.max(1, Math.ceil(quota.retryAfterMs / 1000));
      throw await refuse(
        "daily_limit",
        new AppError("RATE_LIMITED", `At most ${quota.limit} invites a day; retry in ${retryAfter} s`, {
          headers: { "retry-after": String(retryAfter) },
        }),
        tenant.id,
      );
    }

    const code = await generateInviteCode(deps.random);
    const fresh = {
      id: newId("invite", deps.clock, deps.random),
      codeHash: code.hash,
      codePrefix: code.prefix,
      tipoDestino: input.tipoDestino,
      role: INVITE_PROFILES[input.tipoDestino],
      tenantId: tenant.id,
      tenantSlug: tenant.slug,
      nucleos: input.nucleos ?? null,
      dataExpiracao: expiresAt,
      createdBy: issuer.userId,
      createdAt: now,
    };
    const audited = deps.events.statement("create", "success", {
      actorId: issuer.userId,
      invite: fresh,
      metadata: {
        tipo_destino: fresh.tipoDestino,
        role: fresh.role,
        code_prefix: fresh.codePrefix,
        data_expiracao: expiresAt.toISOString(),
      },
    });
    let invite: Invite;
    try {
      invite = await deps.invites.insert(fresh, [audited]);
    } catch (error) {
      await deps.inviteQuota
        .release(issuer.userId)
        .catch((releaseError: unknown) =>
          deps.logger.warn("invite quota slot not given back", { error: releaseError }),
        );
      throw error;
    }

    deps.metrics.increment("tokens_invites_created_total");
    deps.events.announce({ event: "invite.created", id: invite.id, code: code.code });
    return {
      invite,
      code: code.code,
      quota: { limit: quota.limit, used: quota.used, remaining: quota.remaining },
    };
  }

  /** One slot of today's cap; a cap that cannot be reached refuses (503) rather than lets through. */
  private async reserve(issuerId: string): Promise<QuotaDecision> {
    try {
      return await this.deps.inviteQuota.reserve(issuerId, this.deps.config.invitesDailyLimit);
    } catch (error) {
      throw new AppError("DEPENDENCY_UNAVAILABLE", "The daily invite cap could not be checked; try again", {
        cause: error,
      });
    }
  }
}
