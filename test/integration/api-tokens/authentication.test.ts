import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { generateApiToken } from "../../../src/features/api-tokens/token-format";
import { cryptoRandom } from "../../../src/platform/random";
import {
  auditRows,
  bearer,
  createHarness,
  expectProblem,
  jsonRequest,
  register,
  viaSelf,
} from "../../helpers/accounts";
import { createApiToken, rootUser, updateApiToken, userWithRole } from "../../helpers/api-tokens";

const me = (send: typeof viaSelf, token: string, headers: Record<string, string> = {}) =>
  send("/auth/me", { headers: { ...bearer(token), ...headers } });

afterEach(() => {
  vi.restoreAllMocks();
});

describe("authenticating with an API token", () => {
  it("acts as its owner on any route that takes a bearer credential", async () => {
    const owner = await userWithRole(viaSelf, "gestor");
    const { token } = await createApiToken(viaSelf, owner.accessToken, { scope: "read" });
    const response = await me(viaSelf, token);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      id: owner.userId,
      username: owner.username,
      role: "gestor",
    });
  });

  it("refuses missing, malformed, unknown, expired and revoked tokens and a wrong checksum alike: 401", async () => {
    const harness = createHarness();
    const owner = await userWithRole(harness.send, "usuario");
    const expiring = await createApiToken(harness.send, owner.accessToken, {
      expires_at: new Date(harness.clock.now().getTime() + 60_000).toISOString(),
    });
    const revoked = await createApiToken(harness.send, owner.accessToken);
    await harness.send(`/api/api-tokens/${revoked.id}/`, {
      method: "DELETE",
      headers: bearer(owner.accessToken),
    });
    harness.clock.advance(60_000);
    const live = (await createApiToken(harness.send, owner.accessToken)).token;
    // One character of the checksum changed: refused before any lookup.
    const last = live.at(-1) === "A" ? "B" : "A";
    const wrongChecksum = `${live.slice(0, -1)}${last}`;
    const unknown = (await generateApiToken(cryptoRandom)).token;

    const bodies = [];
    for (const credential of [
      unknown,
      wrongChecksum,
      "eat_short",
      `${live}x`,
      expiring.token,
      revoked.token,
    ]) {
      const problem = await expectProblem(await me(harness.send, credential), 401, "INVALID_TOKEN");
      const { requestId: _requestId, ...rest } = problem;
      bodies.push(rest);
    }
    // The same answer whatever the reason: nothing tells a live-but-revoked token from garbage.
    expect(new Set(bodies.map((body) => JSON.stringify(body))).size).toBe(1);
    await expectProblem(await harness.send("/auth/me"), 401, "UNAUTHENTICATED");
    expect((await me(harness.send, live)).status).toBe(200);
  });

  it("refuses the tokens of a disabled owner at once", async () => {
    const owner = await userWithRole(viaSelf, "usuario");
    const { token } = await createApiToken(viaSelf, owner.accessToken);
    expect((await me(viaSelf, token)).status).toBe(200);
    await env.DB.prepare("UPDATE users SET status = 'disabled' WHERE id = ?").bind(owner.userId).run();
    await expectProblem(await me(viaSelf, token), 401, "INVALID_TOKEN");
  });

  it("audits refusals of tokens that exist, at most once a minute per token and reason", async () => {
    const harness = createHarness();
    const owner = await userWithRole(harness.send, "usuario");
    const { id, token } = await createApiToken(harness.send, owner.accessToken);
    await updateApiToken(id, "revoked_at", harness.clock.now().getTime());
    for (let attempt = 0; attempt < 3; attempt++) {
      await expectProblem(await me(harness.send, token), 401, "INVALID_TOKEN");
    }
    const rows = () =>
      harness
        .auditRows()
        .then((all) => all.filter((row) => row.event === "api_token.authenticate" && row.target_id === id));
    expect(await rows()).toEqual([
      expect.objectContaining({ result: "failure", reason: "revoked", target_type: "api_token" }),
    ]);
    harness.clock.advance(60_000);
    await expectProblem(await me(harness.send, token), 401, "INVALID_TOKEN");
    expect(await rows()).toHaveLength(2);
  });

  it("caches a positive lookup for AUTH_CACHE_SECONDS at most; this isolate's revocations apply at once", async () => {
    const harness = createHarness({ AUTH_CACHE_SECONDS: "5" });
    const owner = await userWithRole(harness.send, "usuario");
    const stale = await createApiToken(harness.send, owner.accessToken);
    expect((await me(harness.send, stale.token)).status).toBe(200);
    // Revoked behind this isolate's back (another isolate did it): served from the cache until 5 s.
    await updateApiToken(stale.id, "revoked_at", harness.clock.now().getTime());
    harness.clock.advance(4_999);
    expect((await me(harness.send, stale.token)).status).toBe(200);
    harness.clock.advance(1);
    await expectProblem(await me(harness.send, stale.token), 401, "INVALID_TOKEN");

    const revokedHere = await createApiToken(harness.send, owner.accessToken);
    expect((await me(harness.send, revokedHere.token)).status).toBe(200);
    const revoked = await harness.send(`/api/api-tokens/${revokedHere.id}/`, {
      method: "DELETE",
      headers: bearer(owner.accessToken),
    });
    expect(revoked.status).toBe(204);
    await expectProblem(await me(harness.send, revokedHere.token), 401, "INVALID_TOKEN");
  });

  it("caches an access token's user too; logout of every session and a demotion apply at once here", async () => {
    const harness = createHarness({ AUTH_CACHE_SECONDS: "5" });
    const { tokens, userId } = await register(harness.send);
    expect((await me(harness.send, tokens.accessToken)).status).toBe(200);
    // Disabled behind this isolate's back: the cached user answers until 5 s have passed.
    await env.DB.prepare("UPDATE users SET status = 'disabled' WHERE id = ?").bind(userId).run();
    harness.clock.advance(4_999);
    expect((await me(harness.send, tokens.accessToken)).status).toBe(200);
    harness.clock.advance(1);
    await expectProblem(await me(harness.send, tokens.accessToken), 401, "INVALID_TOKEN");

    const other = await register(harness.send);
    expect((await me(harness.send, other.tokens.accessToken)).status).toBe(200);
    harness.clock.advance(1000);
    const logout = await harness.send(
      "/auth/logout",
      jsonRequest({ refreshToken: other.tokens.refreshToken, all: true }),
    );
    expect(logout.status).toBe(204);
    await expectProblem(await me(harness.send, other.tokens.accessToken), 401, "INVALID_TOKEN");
  });

  it("refuses an expired token at once, even from the cache", async () => {
    const harness = createHarness({ AUTH_CACHE_SECONDS: "10" });
    const owner = await userWithRole(harness.send, "usuario");
    const { token } = await createApiToken(harness.send, owner.accessToken, {
      expires_at: new Date(harness.clock.now().getTime() + 2_000).toISOString(),
    });
    expect((await me(harness.send, token)).status).toBe(200);
    harness.clock.advance(2_000);
    await expectProblem(await me(harness.send, token), 401, "INVALID_TOKEN");
  });

  it("records last_used_at after the response, at most once a minute", async () => {
    const harness = createHarness();
    const owner = await userWithRole(harness.send, "usuario");
    const { id, token } = await createApiToken(harness.send, owner.accessToken);
    const lastUsed = async () =>
      (
        await env.DB.prepare("SELECT last_used_at FROM api_tokens WHERE id = ?").bind(id).first<{
          last_used_at: number | null;
        }>()
      )?.last_used_at;
    expect(await lastUsed()).toBeNull();
    const first = harness.clock.now().getTime();
    await me(harness.send, token);
    expect(await lastUsed()).toBe(first);
    harness.clock.advance(59_999);
    await me(harness.send, token);
    expect(await lastUsed()).toBe(first);
    harness.clock.advance(2);
    await me(harness.send, token);
    expect(await lastUsed()).toBe(first + 60_001);
  });
});

describe("scopes, roles and permissions of an API token", () => {
  it("read and write tokens cannot do admin operations; admin tokens can while the owner is admin or root", async () => {
    const root = await rootUser(viaSelf);
    const target = await userWithRole(viaSelf, "usuario");
    const setRole = (credential: string, role: string) =>
      viaSelf(`/api/users/${target.userId}/role`, {
        ...jsonRequest({ role }, bearer(credential)),
        method: "PUT",
      });
    for (const scope of ["read", "write"] as const) {
      const { token } = await createApiToken(viaSelf, root.accessToken, { scope });
      const problem = await expectProblem(await setRole(token, "gestor"), 403, "FORBIDDEN");
      expect(problem.detail).toBe("This API token lacks the admin scope");
      // Both may read what the owner may read.
      expect((await viaSelf("/api/users?limit=1", { headers: bearer(token) })).status).toBe(200);
    }
    const { token } = await createApiToken(viaSelf, root.accessToken, { scope: "admin" });
    const changed = await setRole(token, "gestor");
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ id: target.userId, role: "gestor" });
  });

  it("demoting the owner demotes the token at once", async () => {
    const root = await rootUser(viaSelf);
    const admin = await userWithRole(viaSelf, "admin");
    const { token } = await createApiToken(viaSelf, admin.accessToken, { scope: "admin" });
    const uncached = createHarness();
    expect((await uncached.send("/api/users?limit=1", { headers: bearer(token) })).status).toBe(200);
    const demoted = await viaSelf(`/api/users/${admin.userId}/role`, {
      ...jsonRequest({ role: "usuario" }, bearer(root.accessToken)),
      method: "PUT",
    });
    expect(demoted.status).toBe(200);
    const problem = await expectProblem(
      await uncached.send("/api/users?limit=1", { headers: bearer(token) }),
      403,
      "FORBIDDEN",
    );
    expect(problem.detail).toBe("This needs the admin role or above");
    // Still good for what a usuario may do.
    expect((await uncached.send("/auth/me", { headers: bearer(token) })).status).toBe(200);
  });

  it("permissions narrow a token to the named operations", async () => {
    const owner = await userWithRole(viaSelf, "usuario");
    const { token } = await createApiToken(viaSelf, owner.accessToken, { permissions: ["api-tokens:read"] });
    expect((await viaSelf("/api/api-tokens/", { headers: bearer(token) })).status).toBe(200);
    const problem = await expectProblem(await me(viaSelf, token), 403, "FORBIDDEN");
    expect(problem.detail).toBe("This API token is not allowed profile:read");
  });
});

describe("IP allow-list", () => {
  it("admits only CF-Connecting-IP addresses inside the listed IPv4 and IPv6 blocks; others get 403", async () => {
    const owner = await userWithRole(viaSelf, "usuario");
    const { token } = await createApiToken(viaSelf, owner.accessToken, {
      allowed_ips: ["203.0.113.0/24", "2001:db8:abcd::/48", "198.51.100.7"],
    });
    const from = (ip?: string) => me(viaSelf, token, ip === undefined ? {} : { "cf-connecting-ip": ip });
    for (const ip of [
      "203.0.113.1",
      "203.0.113.254",
      "2001:db8:abcd:12::1",
      "2001:DB8:ABCD::",
      "198.51.100.7",
      "::ffff:203.0.113.9",
    ]) {
      expect((await from(ip)).status, ip).toBe(200);
    }
    for (const ip of ["203.0.114.1", "198.51.100.8", "2001:db8:abce::1", "::1", "garbage"]) {
      const problem = await expectProblem(await from(ip), 403, "FORBIDDEN");
      expect(problem.detail).toBe("This API token may not be used from this address");
    }
    // No address at all (only outside Cloudflare) is never inside a list.
    await expectProblem(await from(), 403, "FORBIDDEN");
    // X-Forwarded-For is never read.
    await expectProblem(await me(viaSelf, token, { "x-forwarded-for": "203.0.113.1" }), 403, "FORBIDDEN");
  });

  it("audits the refusal with the address it came from", async () => {
    const owner = await userWithRole(viaSelf, "usuario");
    const { id, token } = await createApiToken(viaSelf, owner.accessToken, {
      allowed_ips: ["2001:db8::/32"],
    });
    await expectProblem(await me(viaSelf, token, { "cf-connecting-ip": "192.0.2.44" }), 403, "FORBIDDEN");
    const row = (await auditRows("192.0.2.44")).find(
      (audit) => audit.event === "api_token.authenticate" && audit.target_id === id,
    );
    expect(row).toMatchObject({ result: "failure", reason: "ip_not_allowed", ip: "192.0.2.44" });
  });
});

describe("per-token rate limit", () => {
  it("spends the token's own budget on every request; over it, 429 with Retry-After", async () => {
    const harness = createHarness({ METRICS_FLUSH_DELAY_MS: "0" });
    const owner = await userWithRole(harness.send, "usuario");
    const limited = await createApiToken(harness.send, owner.accessToken, { rate_limit: "2/60s" });
    const other = await createApiToken(harness.send, owner.accessToken);
    const first = await me(harness.send, limited.token);
    expect(first.status).toBe(200);
    expect(first.headers.get("ratelimit-policy")).toBe('"api_token";q=2;w=60');
    expect(first.headers.get("ratelimit")).toBe('"api_token";r=1;t=30');
    expect((await me(harness.send, limited.token)).status).toBe(200);
    const refused = await me(harness.send, limited.token);
    await expectProblem(refused, 429, "RATE_LIMITED");
    expect(refused.headers.get("retry-after")).toBe("30");
    // Another token of the same owner, and the owner's access token, have budgets of their own.
    expect((await me(harness.send, other.token)).status).toBe(200);
    expect((await me(harness.send, owner.accessToken)).status).toBe(200);
    harness.clock.advance(30_000);
    expect((await me(harness.send, limited.token)).status).toBe(200);
  });

  it("applies RATE_LIMIT_API_TOKEN to tokens without a limit of their own", async () => {
    const harness = createHarness({ RATE_LIMIT_API_TOKEN: "1/60s" });
    const owner = await userWithRole(harness.send, "usuario");
    const { token } = await createApiToken(harness.send, owner.accessToken);
    expect((await me(harness.send, token)).status).toBe(200);
    await expectProblem(await me(harness.send, token), 429, "RATE_LIMITED");
  });

  it("lets a token's own limit narrow RATE_LIMIT_API_TOKEN, never lift it", async () => {
    const harness = createHarness({ RATE_LIMIT_API_TOKEN: "2/60s" });
    const owner = await userWithRole(harness.send, "usuario");
    // The holder asks for far more than the operator allows: the operator's limit still holds.
    const generous = await createApiToken(harness.send, owner.accessToken, { rate_limit: "1000000/1s" });
    const first = await me(harness.send, generous.token);
    expect(first.headers.get("ratelimit-policy")).toBe('"api_token";q=2;w=60');
    expect((await me(harness.send, generous.token)).status).toBe(200);
    await expectProblem(await me(harness.send, generous.token), 429, "RATE_LIMITED");
    // A tighter limit of its own applies as asked.
    const strict = await createApiToken(harness.send, owner.accessToken, { rate_limit: "1/3600s" });
    const only = await me(harness.send, strict.token);
    expect(only.headers.get("ratelimit-policy")).toBe('"api_token";q=1;w=3600');
    await expectProblem(await me(harness.send, strict.token), 429, "RATE_LIMITED");
  });
});

describe("the token is never written anywhere but as its hash", () => {
  it("appears in no table, audit row or log line across create, use, refusal, revoke and leak report", async () => {
    const lines: string[] = [];
    for (const method of ["log", "warn", "error", "info", "debug"] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        lines.push(args.map(String).join(" "));
      });
    }
    const harness = createHarness({ LOG_LEVEL: "debug" });
    const owner = await userWithRole(harness.send, "usuario");
    const created = await createApiToken(harness.send, owner.accessToken, {
      allowed_ips: ["203.0.113.0/24"],
    });
    const leaked = await createApiToken(harness.send, owner.accessToken);
    await me(harness.send, created.token, { "cf-connecting-ip": "203.0.113.1" });
    await me(harness.send, created.token, { "cf-connecting-ip": "192.0.2.1" });
    await harness.send(`/api/api-tokens/${created.id}/`, {
      method: "DELETE",
      headers: bearer(owner.accessToken),
    });
    await me(harness.send, created.token, { "cf-connecting-ip": "203.0.113.1" });
    await harness.send("/api/api-tokens/leaked", jsonRequest({ token: leaked.token }));
    vi.restoreAllMocks();

    expect(lines.length).toBeGreaterThan(5);
    const { results: tables } = await env.DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name <> 'd1_migrations'",
    ).all<{ name: string }>();
    const dump: string[] = [];
    for (const { name } of tables) {
      const { results } = await env.DB.prepare(`SELECT * FROM "${name}"`).all();
      dump.push(JSON.stringify(results));
    }
    for (const secret of [
      created.token,
      leaked.token,
      created.token.slice(4, 47),
      leaked.token.slice(4, 47),
    ]) {
      for (const line of lines) expect(line).not.toContain(secret);
      for (const rows of dump) expect(rows).not.toContain(secret);
      for (const email of harness.emails) expect(JSON.stringify(email)).not.toContain(secret);
    }
  });
});
