import { AppError } from "../../platform/errors";
import { decodeIdCursor, encodeIdCursor } from "../../platform/id-cursor";
import type { Shared } from "../../shared";
import type { AuditLogRepository, AuditPage } from "../audit/repository";
import type { TenantRepository } from "../tenants/repository";
import type { InviteAccess, InviteActor } from "./access";
import { effectiveState, type Invite, type InviteState } from "./invite";
import type { InviteRepository } from "./repository";

/** Filters of `GET /api/tokens/`, as the route validated them. */
export interface InviteListQuery {
  estado?: InviteState;
  /** A tenant slug or id. */
  organizacao?: string;
  createdBy?: string;
  /** Created at or after this instant (the console's date filter). */
  createdFrom?: Date;
  /** Created before this instant. */
  createdTo?: Date;
  cursor?: string;
  limit: number;
}

/** One page of invites, newest first. */
export interface InvitePage {
  items: Invite[];
  nextCursor: string | null;
}

export type InviteQueryDeps = Pick<Shared, "clock"> & {
  invites: InviteRepository;
  access: InviteAccess;
  tenants: Pick<TenantRepository, "findByRef">;
  auditLogs: Pick<AuditLogRepository, "list">;
};

/**
 * The read side: the invites a caller may see (root: all; others: their tenants' invites), and
 * one invite's audit history. Both page with opaque cursors.
 */
export class InviteQueryService {
  constructor(private readonly deps: InviteQueryDeps) {}

  async list(actor: InviteActor, query: InviteListQuery): Promise<InvitePage> {
    const { deps } = this;
    let tenantId: string | undefined;
    if (query.organizacao !== undefined) {
      const tenant = await deps.tenants.findByRef(query.organizacao);
      // An unknown tenant, or one the caller cannot see, simply has no invites for them.
      if (!tenant) return { items: [], nextCursor: null };
      tenantId = tenant.id;
    }
    const rows = await deps.invites.list({
      visibility: deps.access.visibility(actor),
      filters: {
        estado: query.estado,
        tenantId,
        createdBy: query.createdBy,
        createdFrom: query.createdFrom,
        createdTo: query.createdTo,
      },
      now: deps.clock.now(),
      afterId: query.cursor === undefined ? undefined : decodeIdCursor(query.cursor, "invite"),
      limit: query.limit,
    });
    const now = deps.clock.now();
    const items = rows
      .slice(0, query.limit)
      .map((invite) => ({ ...invite, estado: effectiveState(invite, now) }));
    const last = items.at(-1);
    return { items, nextCursor: rows.length > query.limit && last ? encodeIdCursor(last.id) : null };
  }

  /** One invite the caller can see, in its state now; 404 otherwise. */
  async get(actor: InviteActor, inviteId: string): Promise<Invite> {
    const invite = await this.deps.invites.findById(inviteId);
    if (!invite || !(await this.deps.access.canSee(actor, invite))) {
      throw new AppError("NOT_FOUND", "No invite with this id");
    }
    return { ...invite, estado: effectiveState(invite, this.deps.clock.now()) };
  }

  /** The audit history of an invite the caller can see, newest first; 404 otherwise. */
  async history(
    actor: InviteActor,
    inviteId: string,
    page: { cursor?: string; limit: number },
  ): Promise<AuditPage> {
    const invite = await this.get(actor, inviteId);
    return this.deps.auditLogs.list({ targetType: "invite", targetId: invite.id }, page);
  }
}
