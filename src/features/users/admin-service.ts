import { AppError } from "../../platform/errors";
import type { Shared } from "../../shared";
import { type Principal, roleAtLeast } from "../authorization/principal";
import type { UserListFilter } from "./repository";
import type { Role, User, UserStatus } from "./user";

/** What the admin routes show of a user: never the password hash or the token cut-off. */
export interface UserSummary {
  id: string;
  username: string;
  email: string;
  name: string;
  role: Role;
  status: UserStatus;
  emailVerified: boolean;
  createdAt: string;
  updatedAt: string;
}

/** One page of `GET /api/users`. */
export interface UserSummaryPage {
  users: UserSummary[];
  nextCursor: string | null;
}

export type UserAdminDeps = Pick<Shared, "users" | "clock" | "audit" | "metrics" | "credentials">;

/** Who may change a role, as the rule that refused it: audited as the reason. */
type RoleChangeRefusal = "own_role" | "target_outranks" | "above_own_role";

/**
 * Users as admins see them: the filtered list and global role changes. Nobody changes their own
 * role, nobody grants a role above their own or touches someone who outranks them, and the last
 * active root stays root. A demotion takes effect at once for every credential: API tokens read
 * the owner's role on every request (this isolate forgets its cached lookups now, others within
 * `AUTH_CACHE_SECONDS`), and the user's access tokens issued so far are cut off, so the next
 * refresh issues one whose `roles` claim tells other services the new role. A promotion needs no
 * cut-off: this service reads the current role on every request, and the claim follows at the next
 * refresh.
 */
export class UserAdminService {
  constructor(private readonly deps: UserAdminDeps) {}

  async list(filter: UserListFilter, page: { cursor?: string; limit: number }): Promise<UserSummaryPage> {
    const { users, nextCursor } = await this.deps.users.list(filter, page);
    return { users: users.map(summaryOf), nextCursor };
  }

  /** Sets `targetId`'s global role to `role` on behalf of `actor`; see the class for the rules. */
  async changeRole(actor: Principal, targetId: string, role: Role): Promise<UserSummary> {
    const { users, clock, audit, metrics, credentials } = this.deps;
    if (actor.userId === targetId) await this.refuse(actor, targetId, role, "own_role");
    const target = await users.findById(targetId);
    if (!target) throw new AppError("NOT_FOUND", "No such user");
    if (!roleAtLeast(actor.role, target.role)) await this.refuse(actor, targetId, role, "target_outranks");
    if (!roleAtLeast(actor.role, role)) await this.refuse(actor, targetId, role, "above_own_role");
    if (target.role === role) return summaryOf(target);
    const now = clock.now();
    // Access tokens carry the role they were issued with: `authenticate` refuses one whose role is
    // no longer the user's, so the change applies at once; refresh tokens go on (new role).
    const demotion = roleAtLeast(target.role, role);
    const changed = await users.changeRole(targetId, { from: target.role, to: role, at: now });
    if (!changed) {
      const current = await users.findById(targetId);
      const lastRoot = current?.role === target.role;
      await audit.userEvent("user.role_change", "failure", targetId, {
        actorId: actor.userId,
        reason: lastRoot ? "last_root" : "changed_meanwhile",
        metadata: { from: target.role, to: role },
      });
      throw new AppError(
        "CONFLICT",
        lastRoot
          ? "This is the last active root: make someone else root first"
          : "The user's role changed meanwhile; read it again",
      );
    }
    credentials.forgetUser(targetId);
    metrics.increment("tokens_role_changes_total", { direction: demotion ? "demotion" : "promotion" });
    await audit.userEvent("user.role_change", "success", targetId, {
      actorId: actor.userId,
      metadata: { from: target.role, to: role, ...(actor.apiTokenId ? { via: actor.apiTokenId } : {}) },
    });
    return summaryOf(changed);
  }

  private async refuse(
    actor: Principal,
    targetId: string,
    role: Role,
    reason: RoleChangeRefusal,
  ): Promise<never> {
    await this.deps.audit.userEvent("user.role_change", "failure", targetId, {
      actorId: actor.userId,
      reason,
      metadata: { to: role },
    });
    throw new AppError("FORBIDDEN", REFUSALS[reason]);
  }
}

const REFUSALS: Record<RoleChangeRefusal, string> = {
  own_role: "Nobody changes their own role",
  target_outranks: "This user's role is above yours",
  above_own_role: "Nobody grants a role above their own",
};

/** The admin view of a user. */
export function summaryOf(user: User): UserSummary {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    name: user.name,
    role: user.role,
    status: user.status,
    emailVerified: user.emailVerifiedAt !== null,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}
