import { describe, expect, it } from "vitest";
import type { ApiTokenWithOwner } from "../../../src/features/api-tokens/api-token";
import {
  CredentialCache,
  type IsolateCredentialCaches,
} from "../../../src/features/authorization/credential-cache";
import type { User } from "../../../src/features/users/user";
import { ManualClock } from "../../../src/platform/clock";
import { ExpiringCache } from "../../../src/platform/expiring-cache";

const T0 = Date.UTC(2026, 0, 1);

const user = (id: string, status: User["status"] = "active"): User => ({
  id,
  username: id,
  email: `${id}@example.com`,
  passwordHash: "h",
  name: id,
  role: "usuario",
  status,
  emailVerifiedAt: null,
  tokensValidAfter: null,
  tokenEpoch: 0,
  createdAt: new Date(T0),
  updatedAt: new Date(T0),
});

const token = (id: string, userId: string, changes: Partial<ApiTokenWithOwner> = {}): ApiTokenWithOwner => ({
  id,
  userId,
  nome: id,
  descricao: null,
  scope: "read",
  permissions: null,
  allowedIps: null,
  rateLimit: null,
  tokenStart: "eat_abcdef",
  createdAt: new Date(T0),
  expiresAt: null,
  lastUsedAt: null,
  revokedAt: null,
  revokedBy: null,
  revokedReason: null,
  owner: { role: "usuario", status: "active" },
  ...changes,
});

function setUp(ttlMs = 5000) {
  const caches: IsolateCredentialCaches = {
    users: new ExpiringCache(100),
    apiTokens: new ExpiringCache(100),
    tenantSessions: new ExpiringCache(100),
    institutions: new ExpiringCache(100),
  };
  const clock = new ManualClock(T0);
  return { clock, cache: new CredentialCache(caches, clock, ttlMs) };
}

describe("CredentialCache", () => {
  it("keeps only what may authenticate: active users, live tokens of active owners", () => {
    const { cache } = setUp();
    cache.keepUser(user("usr_on"));
    cache.keepUser(user("usr_off", "disabled"));
    cache.keepApiToken("h_live", token("tok_live", "usr_on"));
    cache.keepApiToken("h_revoked", token("tok_r", "usr_on", { revokedAt: new Date(T0) }));
    cache.keepApiToken("h_expired", token("tok_e", "usr_on", { expiresAt: new Date(T0) }));
    cache.keepApiToken(
      "h_owner",
      token("tok_o", "usr_on", { owner: { role: "usuario", status: "disabled" } }),
    );
    expect(cache.user("usr_on")?.id).toBe("usr_on");
    expect(cache.user("usr_off")).toBeUndefined();
    expect(["h_live", "h_revoked", "h_expired", "h_owner"].map((hash) => cache.apiToken(hash)?.id)).toEqual([
      "tok_live",
      undefined,
      undefined,
      undefined,
    ]);
  });

  it("answers for AUTH_CACHE_SECONDS at most, and never with 0", () => {
    const { cache, clock } = setUp(5000);
    cache.keepUser(user("usr_a"));
    clock.advance(4999);
    expect(cache.user("usr_a")).toBeDefined();
    clock.advance(1);
    expect(cache.user("usr_a")).toBeUndefined();
    const off = setUp(0).cache;
    off.keepUser(user("usr_a"));
    expect(off.user("usr_a")).toBeUndefined();
  });

  it("forgets a user with all their tokens, a token by id, a token by hash", () => {
    const { cache } = setUp();
    cache.keepUser(user("usr_a"));
    cache.keepUser(user("usr_b"));
    cache.keepApiToken("h1", token("tok_1", "usr_a"));
    cache.keepApiToken("h2", token("tok_2", "usr_a"));
    cache.keepApiToken("h3", token("tok_3", "usr_b"));
    cache.keepApiToken("h4", token("tok_4", "usr_b"));
    cache.forgetUser("usr_a");
    cache.forgetApiToken("tok_3");
    cache.forgetApiTokenHash("h4");
    expect([cache.user("usr_a"), cache.user("usr_b")?.id]).toEqual([undefined, "usr_b"]);
    expect(["h1", "h2", "h3", "h4"].map((hash) => cache.apiToken(hash))).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it("keeps a tenant session until its expiry or AUTH_CACHE_SECONDS, and forgets it by agent, tenant or user", () => {
    const { cache, clock } = setUp(5000);
    const session = (tenantId: string, sessionId: string, userId: string, expiresInMs = 60_000) => ({
      tenantId,
      sessionId,
      userId,
      tenantSlug: tenantId,
      role: "admin" as const,
      globalRole: "usuario" as const,
      expiresAt: new Date(clock.now().getTime() + expiresInMs),
    });
    cache.keepTenantSession(session("tnt_a", "ses_1", "usr_1"));
    cache.keepTenantSession(session("tnt_a", "ses_2", "usr_2"));
    cache.keepTenantSession(session("tnt_b", "ses_3", "usr_1"));
    cache.keepTenantSession(session("tnt_b", "ses_4", "usr_4", 1000));
    expect(cache.tenantSession("tnt_a", "ses_1")?.userId).toBe("usr_1");
    expect(cache.tenantSession("tnt_b", "ses_1")).toBeUndefined();
    clock.advance(1000);
    expect(cache.tenantSession("tnt_b", "ses_4")).toBeUndefined();
    cache.forgetTenantAgent("tnt_a", "usr_2");
    expect(cache.tenantSession("tnt_a", "ses_2")).toBeUndefined();
    expect(cache.tenantSession("tnt_a", "ses_1")).toBeDefined();
    cache.forgetUser("usr_1");
    expect(cache.tenantSession("tnt_a", "ses_1")).toBeUndefined();
    expect(cache.tenantSession("tnt_b", "ses_3")).toBeUndefined();
    cache.keepTenantSession(session("tnt_a", "ses_5", "usr_5"));
    cache.forgetTenant("tnt_a");
    expect(cache.tenantSession("tnt_a", "ses_5")).toBeUndefined();
  });

  it("keeps a user's tenant slugs for AUTH_CACHE_SECONDS, and forgets them when a membership or tenant changes", () => {
    const { cache, clock } = setUp(5000);
    cache.keepInstitutions("usr_1", ["alpha", "beta"]);
    cache.keepInstitutions("usr_2", ["alpha"]);
    expect(cache.institutions("usr_1")).toEqual(["alpha", "beta"]);
    clock.advance(5000);
    expect(cache.institutions("usr_1")).toBeUndefined();
    cache.keepInstitutions("usr_1", ["alpha"]);
    cache.forgetTenantAgent("tnt_a", "usr_1");
    expect(cache.institutions("usr_1")).toBeUndefined();
    cache.keepInstitutions("usr_1", ["alpha"]);
    cache.forgetUser("usr_1");
    expect(cache.institutions("usr_1")).toBeUndefined();
    cache.keepInstitutions("usr_1", ["alpha"]);
    cache.forgetTenant("tnt_a");
    expect(cache.institutions("usr_1")).toBeUndefined();
    expect(cache.institutions("usr_2")).toBeUndefined();
    const off = setUp(0).cache;
    off.keepInstitutions("usr_1", ["alpha"]);
    expect(off.institutions("usr_1")).toBeUndefined();
  });
});
