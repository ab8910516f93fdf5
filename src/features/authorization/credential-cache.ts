import type { Clock } from "../../platform/clock";
import { ExpiringCache } from "../../platform/expiring-cache";
import type { ApiTokenWithOwner } from "../api-tokens/api-token";
import { isApiTokenActive } from "../api-tokens/api-token";
import type { LiveTenantSession } from "../tenants/session-repository";
import type { User } from "../users/user";

/** A live tenant session as its tenant token's check found it. */
export interface CachedTenantSession extends LiveTenantSession {
  tenantId: string;
}

/** The most entries of each kind an isolate keeps (about a kilobyte each). */
const MAX_ENTRIES = 1000;

/** This isolate's positive credential checks: module state on purpose, they must outlive a request. */
export interface IsolateCredentialCaches {
  /** Users behind access tokens, by id: role, status and token cut-off as last read. */
  users: ExpiringCache<User>;
  /** API tokens with their owner's role and status, by the token's hash. */
  apiTokens: ExpiringCache<ApiTokenWithOwner>;
  /** Live tenant sessions with the agent's role, by `tenantId/sessionId`. */
  tenantSessions: ExpiringCache<CachedTenantSession>;
  /** The slugs of each user's tenants (`/auth/me`'s `institutions`), by user id. */
  institutions: ExpiringCache<string[]>;
}

/** The caches of this isolate, shared by every request it serves (see `CredentialCache`). */
export const isolateCredentialCaches: IsolateCredentialCaches = {
  users: new ExpiringCache(MAX_ENTRIES),
  apiTokens: new ExpiringCache(MAX_ENTRIES),
  tenantSessions: new ExpiringCache(MAX_ENTRIES),
  institutions: new ExpiringCache(MAX_ENTRIES),
};

/**
 * What checking a credential read from the database, reused by this isolate for `AUTH_CACHE_SECONDS`
 * (0: never). Only positive answers are kept (an active user, a live token of an active owner), and
 * an API token's expiry is checked on every use, so the one staleness is bounded and documented:
 * a revocation, demotion, disabled account, logout of every session or password reset made by
 * another isolate reaches this one within `AUTH_CACHE_SECONDS`. The isolate that makes such a
 * change forgets what it cached at once (`forgetUser`, `forgetApiToken…`).
 */
export class CredentialCache {
  constructor(
    private readonly caches: IsolateCredentialCaches,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  user(id: string): User | undefined {
    return this.caches.users.get(id, this.clock.now().getTime(), this.ttlMs);
  }

  /** Keeps `user` if active (a user who may not sign in is read again every time). */
  keepUser(user: User): void {
    if (this.ttlMs > 0 && user.status === "active") {
      this.caches.users.set(user.id, user, this.clock.now().getTime());
    }
  }

  /** The slugs of the user's tenants as last read, while fresh. */
  institutions(userId: string): string[] | undefined {
    return this.caches.institutions.get(userId, this.clock.now().getTime(), this.ttlMs);
  }

  keepInstitutions(userId: string, slugs: string[]): void {
    if (this.ttlMs > 0) this.caches.institutions.set(userId, slugs, this.clock.now().getTime());
  }

  apiToken(hash: string): ApiTokenWithOwner | undefined {
    return this.caches.apiTokens.get(hash, this.clock.now().getTime(), this.ttlMs);
  }

  /** Keeps `token` if it may authenticate now: not revoked or expired, its owner active. */
  keepApiToken(hash: string, token: ApiTokenWithOwner): void {
    const now = this.clock.now();
    if (this.ttlMs > 0 && isApiTokenActive(token, now) && token.owner.status === "active") {
      this.caches.apiTokens.set(hash, token, now.getTime());
    }
  }

  /** The live tenant session `sessionId` of the tenant, while fresh and before its expiry. */
  tenantSession(tenantId: string, sessionId: string): CachedTenantSession | undefined {
    const now = this.clock.now().getTime();
    const session = this.caches.tenantSessions.get(`${tenantId}/${sessionId}`, now, this.ttlMs);
    return session && session.expiresAt.getTime() > now ? session : undefined;
  }

  keepTenantSession(session: CachedTenantSession): void {
    if (this.ttlMs > 0) {
      this.caches.tenantSessions.set(
        `${session.tenantId}/${session.sessionId}`,
        session,
        this.clock.now().getTime(),
      );
    }
  }

  /** Forgets the sessions of an agent whose role in the tenant changed or ended. */
  forgetTenantAgent(tenantId: string, userId: string): void {
    this.caches.tenantSessions.deleteWhere((s) => s.tenantId === tenantId && s.userId === userId);
    this.caches.institutions.delete(userId);
  }

  /** Forgets every session of a tenant whose settings or status changed. */
  forgetTenant(tenantId: string): void {
    this.caches.tenantSessions.deleteWhere((s) => s.tenantId === tenantId);
    // Its slug may have changed: every member's list is read again.
    this.caches.institutions.deleteWhere(() => true);
  }

  /** Forgets a user whose role, status, password or sessions changed, their API tokens and tenant sessions. */
  forgetUser(userId: string): void {
    this.caches.users.delete(userId);
    this.caches.institutions.delete(userId);
    this.caches.apiTokens.deleteWhere((token) => token.userId === userId);
    this.caches.tenantSessions.deleteWhere((s) => s.userId === userId);
  }

  /** Forgets a revoked token (a revocation knows its id, not its hash). */
  forgetApiToken(id: string): void {
    this.caches.apiTokens.deleteWhere((token) => token.id === id);
  }

  forgetApiTokenHash(hash: string): void {
    this.caches.apiTokens.delete(hash);
  }
}
