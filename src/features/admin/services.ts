import type { Shared } from "../../shared";
import type { Principal } from "../authorization/principal";
import type { User } from "../users/user";
import { ConsoleRepository, type UsageDay, type UserActivity } from "./console-repository";

/** How many days the usage page covers. */
export const USAGE_DAYS = 30;

/** The admin console's own services, as `services.admin`: what no API route already offers. */
export interface AdminServices {
  /** Audits a console sign-in refused after a right password (role below gestor, two-factor off). */
  refuseSignIn(user: User, reason: "role" | "two_factor_off"): Promise<void>;
  /** Two-factor state and last sign-in of the listed users. */
  activityOf(userIds: readonly string[]): Promise<Map<string, UserActivity>>;
  /** Invite activity per day over the last `USAGE_DAYS` days, in the tenants `reader` may see. */
  inviteUsage(reader: Pick<Principal, "userId" | "role">): Promise<UsageDay[]>;
}

/** Wires the console's services over its read-only repository. */
export function createAdminServices(shared: Pick<Shared, "db" | "clock" | "audit">): AdminServices {
  const repository = new ConsoleRepository(shared.db);
  return {
    refuseSignIn: (user, reason) =>
      shared.audit.userEvent("web.sign_in", "failure", user, { reason, metadata: { page: "admin" } }),
    activityOf: (userIds) => repository.activityOf(userIds),
    // Root sees every tenant; anyone else the tenants they belong to, as the audit API scopes rows.
    inviteUsage: (reader) =>
      repository.dailyInviteActivity(
        shared.clock.now(),
        USAGE_DAYS,
        reader.role === "root" ? undefined : reader.userId,
      ),
  };
}
