import { AppError } from "../../../platform/errors";
import type { Shared } from "../../../shared";
import type { Principal } from "../../authorization/principal";
import type { User } from "../../users/user";

/** What `GET /auth/me` shows of a user. */
export interface UserProfile {
  id: string;
  username: string;
  email: string;
  name: string;
  role: User["role"];
  roles: User["role"][];
  /** Slugs of the user's tenants (seed 002 calls them institutions). */
  institutions: string[];
  emailVerified: boolean;
  emailVerifiedAt: string | null;
  createdAt: string;
}

/** The signed-in user's profile. */
export class ProfileService {
  constructor(private readonly deps: Pick<Shared, "tenants" | "users" | "credentials">) {}

  /**
   * The profile of the principal's user: the record authentication read, else (an API token's
   * principal carries none) this isolate's credential cache while fresh, else one read. Only for
   * showing: `userOf` never answers from the cache for an API token's principal.
   */
  async forPrincipal(principal: Pick<Principal, "userId" | "user">): Promise<UserProfile> {
    const { credentials } = this.deps;
    const cached = principal.user ?? credentials.user(principal.userId);
    if (cached) return this.of(cached);
    const user = await this.userOf(principal);
    credentials.keepUser(user);
    return this.of(user);
  }

  /** The principal's user record (the one authentication read, if any); 401 if it is gone. */
  async userOf(principal: Pick<Principal, "userId" | "user">): Promise<User> {
    const user = principal.user ?? (await this.deps.users.findById(principal.userId));
    if (!user) throw new AppError("INVALID_TOKEN");
    return user;
  }

  /**
   * The user's tenant slugs from this isolate's credential cache while fresh (`AUTH_CACHE_SECONDS`,
   * like the user record itself), else one read: a membership added or removed elsewhere shows
   * within that time (docs/operating.md, "Hot paths").
   */
  private async institutionsOf(userId: string): Promise<string[]> {
    const { credentials, tenants } = this.deps;
    const cached = credentials.institutions(userId);
    if (cached) return cached;
    const slugs = await tenants.slugsForUser(userId);
    credentials.keepInstitutions(userId, slugs);
    return slugs;
  }

  async of(user: User): Promise<UserProfile> {
    return {
      id: user.id,
      username: user.username,
      email: user.email,
      name: user.name,
      role: user.role,
      roles: [user.role],
      institutions: await this.institutionsOf(user.id),
      emailVerified: user.emailVerifiedAt !== null,
      emailVerifiedAt: user.emailVerifiedAt?.toISOString() ?? null,
      createdAt: user.createdAt.toISOString(),
    };
  }
}
