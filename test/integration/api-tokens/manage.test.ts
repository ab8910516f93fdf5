import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { ListApiTokensResponse } from "../../../src/features/api-tokens/routes/list";
import { checkApiTokenFormat } from "../../../src/features/api-tokens/token-format";
import { hashSecret } from "../../../src/platform/secrets";
import {
  asClient,
  auditRows,
  bearer,
  createHarness,
  expectInvalidFields,
  expectProblem,
  jsonRequest,
  viaSelf,
} from "../../helpers/accounts";
import { createApiToken, type RoleUser, rootUser, userWithRole } from "../../helpers/api-tokens";

// A client IP of this file's own: test files share one D1, and audit rows are read per client.
const self = asClient(viaSelf);

const list = async (accessToken: string, query = "") => {
  const response = await self.send(`/api/api-tokens/${query}`, { headers: bearer(accessToken) });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as ListApiTokensResponse;
};
const revoke = (id: string, credential: string) =>
  self.send(`/api/api-tokens/${id}/`, { method: "DELETE", headers: bearer(credential) });

describe("POST /api/api-tokens/", () => {
  let usuario: RoleUser;
  beforeAll(async () => {
    usuario = await userWithRole(self.send, "usuario");
  });

  it("creates a token, shows it once with its description, and stores only its hash", async () => {
    const created = await createApiToken(self.send, usuario.accessToken, {
      nome: "  Deploy do CI ",
      descricao: "Publica as builds",
      scope: "write",
      expires_at: "2099-01-01T00:00:00-03:00",
      permissions: ["api-tokens:read", "profile:read", "api-tokens:read"],
      allowed_ips: ["203.0.113.7", "2001:DB8::/32", "198.51.100.0/24"],
      rate_limit: "100 / 1m",
    });
    expect(created).toMatchObject({
      message: expect.stringContaining("only once"),
      user_id: usuario.userId,
      nome: "Deploy do CI",
      descricao: "Publica as builds",
      scope: "write",
      status: "active",
      expires_at: "2099-01-01T03:00:00.000Z",
      permissions: ["api-tokens:read", "profile:read"],
      allowed_ips: ["203.0.113.7/32", "2001:db8::/32", "198.51.100.0/24"],
      rate_limit: "100/60s",
      last_used_at: null,
      revoked_at: null,
    });
    expect(created.id).toMatch(/^tok_[0-9a-z]{26}$/);
    // eat_ + 43 random characters (32 bytes base64url, seed 003) + 6 checksum characters.
    expect(created.token).toMatch(/^eat_[A-Za-z0-9_-]{43}[0-9A-Za-z]{6}$/);
    expect(checkApiTokenFormat(created.token)).toBe("ok");
    expect(created.token_start).toBe(created.token.slice(0, 10));

    const row = await env.DB.prepare("SELECT * FROM api_tokens WHERE id = ?").bind(created.id).first();
    expect(row?.token_hash).toBe(await hashSecret(created.token));
    expect(JSON.stringify(row)).not.toContain(created.token);

    const listed = await list(usuario.accessToken);
    const shown = listed.tokens.find((token) => token.id === created.id);
    const { message: _message, token: _token, ...description } = created;
    expect(shown).toEqual(description);
    expect(JSON.stringify(listed)).not.toContain(created.token);
  });

  it("works under seed 003's alias paths too", async () => {
    const response = await self.send(
      "/api-tokens",
      jsonRequest({ nome: "Alias", scope: "read" }, bearer(usuario.accessToken)),
    );
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };
    const aliasList = await self.send("/api-tokens", { headers: bearer(usuario.accessToken) });
    expect(aliasList.status).toBe(200);
    expect(((await aliasList.json()) as ListApiTokensResponse).tokens.map((token) => token.id)).toContain(id);
  });

  it("draws a fresh token each time: no two alike, 43 random characters each", async () => {
    const tokens = await Promise.all(
      Array.from({ length: 5 }, () => createApiToken(self.send, usuario.accessToken)),
    );
    const randomParts = tokens.map((created) => created.token.slice(4, 47));
    expect(new Set(randomParts).size).toBe(5);
    for (const part of randomParts) expect(part).toHaveLength(43);
  });

  it("lets nobody create a scope above their role: admin needs admin or root", async () => {
    for (const role of ["usuario", "gestor"] as const) {
      const user = role === "usuario" ? usuario : await userWithRole(self.send, role);
      const response = await self.send(
        "/api/api-tokens/",
        jsonRequest({ nome: "x", scope: "admin" }, bearer(user.accessToken)),
      );
      const problem = await expectProblem(response, 403, "FORBIDDEN");
      expect(problem.detail).toContain("admin scope");
      expect(await createApiToken(self.send, user.accessToken, { scope: "write" })).toMatchObject({
        scope: "write",
      });
    }
    const admin = await userWithRole(self.send, "admin");
    expect(await createApiToken(self.send, admin.accessToken, { scope: "admin" })).toMatchObject({
      scope: "admin",
    });
    const refused = (await auditRows(self.ip)).filter(
      (row) => row.event === "api_token.create" && row.result === "failure",
    );
    expect(refused.at(-1)).toMatchObject({ reason: "scope_above_role", actor_id: expect.any(String) });
  });

  it("validates the body, naming each field", async () => {
    const send = (body: unknown) =>
      self.send("/api/api-tokens/", jsonRequest(body, bearer(usuario.accessToken)));
    expect(await expectInvalidFields(await send({}))).toEqual(["body.nome", "body.scope"]);
    expect(await expectInvalidFields(await send({ nome: " ", scope: "root" }))).toEqual([
      "body.nome",
      "body.scope",
    ]);
    expect(
      await expectInvalidFields(
        await send({
          nome: "x",
          scope: "read",
          descricao: "d".repeat(501),
          expires_at: "tomorrow",
          permissions: ["invites:read", "nonsense"],
          allowed_ips: ["10.0.0.1/8", "2001:db8::1%eth0", "300.1.1.1"],
          rate_limit: "fast",
        }),
      ),
    ).toEqual([
      "body.descricao",
      "body.expires_at",
      "body.permissions.1",
      "body.allowed_ips.0",
      "body.allowed_ips.1",
      "body.allowed_ips.2",
      "body.rate_limit",
    ]);
    // Empty lists would make tokens that can do nothing or be used from nowhere: left out instead.
    expect(await expectInvalidFields(await send({ nome: "x", scope: "read", permissions: [] }))).toEqual([
      "body.permissions",
    ]);
    expect(await expectInvalidFields(await send({ nome: "x", scope: "read", allowed_ips: [] }))).toEqual([
      "body.allowed_ips",
    ]);
    // A permission the token could never use: closed to tokens, or above the token's scope.
    const narrowing = await send({
      nome: "x",
      scope: "read",
      permissions: ["profile:read", "api-tokens:create", "invites:create"],
    });
    const problem = await expectProblem(narrowing, 400, "VALIDATION_FAILED");
    expect(problem.errors).toEqual([
      { field: "body.permissions.1", message: "is never open to API tokens" },
      { field: "body.permissions.2", message: "needs the write scope" },
    ]);
  });

  it("refuses an expiry that is not in the future", async () => {
    const harness = createHarness();
    const user = await userWithRole(harness.send, "usuario");
    const now = harness.clock.now().toISOString();
    const response = await harness.send(
      "/api/api-tokens/",
      jsonRequest({ nome: "x", scope: "read", expires_at: now }, bearer(user.accessToken)),
    );
    expect(await expectInvalidFields(response)).toEqual(["body.expires_at"]);
  });

  it("needs a signed-in user: 401 without credentials, 403 for an API token", async () => {
    await expectProblem(
      await self.send("/api/api-tokens/", jsonRequest({ nome: "x", scope: "read" })),
      401,
      "UNAUTHENTICATED",
    );
    const { token } = await createApiToken(self.send, usuario.accessToken, { scope: "write" });
    const problem = await expectProblem(
      await self.send("/api/api-tokens/", jsonRequest({ nome: "x", scope: "read" }, bearer(token))),
      403,
      "FORBIDDEN",
    );
    expect(problem.detail).toContain("API tokens cannot do this");
  });

  it("is rate limited per user, on both paths, whatever the client IP", async () => {
    const harness = createHarness({ RATE_LIMIT_API_TOKEN_CREATE_USER: "2/3600s" });
    const owner = await userWithRole(harness.send, "usuario");
    const create = (path: string, ip: string) =>
      harness.send(
        path,
        jsonRequest({ nome: "x", scope: "read" }, { ...bearer(owner.accessToken), "cf-connecting-ip": ip }),
      );
    expect((await create("/api/api-tokens/", "198.51.100.10")).status).toBe(201);
    expect((await create("/api-tokens", "198.51.100.11")).status).toBe(201);
    const refused = await create("/api/api-tokens/", "198.51.100.12");
    await expectProblem(refused, 429, "RATE_LIMITED");
    expect(refused.headers.get("retry-after")).toBe("1800");
    // Another user has a budget of their own.
    const other = await userWithRole(harness.send, "usuario");
    await createApiToken(harness.send, other.accessToken);
  });
});

describe("GET /api/api-tokens/", () => {
  it("lists only the caller's tokens, newest first, page by page", async () => {
    const owner = await userWithRole(self.send, "usuario");
    const other = await userWithRole(self.send, "usuario");
    const mine = [];
    for (let index = 0; index < 3; index++) {
      mine.push((await createApiToken(self.send, owner.accessToken, { nome: `t${index}` })).id);
    }
    await createApiToken(self.send, other.accessToken);
    const first = await list(owner.accessToken, "?limit=2");
    expect(first.tokens.map((token) => token.id)).toEqual([mine[2], mine[1]]);
    const second = await list(owner.accessToken, `?limit=2&cursor=${first.next_cursor}`);
    expect(second).toMatchObject({ tokens: [{ id: mine[0] }], next_cursor: null });
  });

  it("lets admin and root list another user's tokens; 403 for everyone else", async () => {
    const owner = await userWithRole(self.send, "usuario");
    const { id } = await createApiToken(self.send, owner.accessToken);
    for (const role of ["admin", "root"] as const) {
      const admin = await userWithRole(self.send, role);
      expect((await list(admin.accessToken, `?user_id=${owner.userId}`)).tokens.map((t) => t.id)).toEqual([
        id,
      ]);
    }
    const gestor = await userWithRole(self.send, "gestor");
    await expectProblem(
      await self.send(`/api/api-tokens/?user_id=${owner.userId}`, { headers: bearer(gestor.accessToken) }),
      403,
      "FORBIDDEN",
    );
    // Naming oneself is fine.
    expect((await list(owner.accessToken, `?user_id=${owner.userId}`)).tokens).toHaveLength(1);
  });

  it("validates the query", async () => {
    const user = await userWithRole(self.send, "usuario");
    const get = (query: string) =>
      self.send(`/api/api-tokens/${query}`, { headers: bearer(user.accessToken) });
    expect(await expectInvalidFields(await get("?limit=0"))).toEqual(["query.limit"]);
    expect(await expectInvalidFields(await get("?limit=abc"))).toEqual(["query.limit"]);
    expect(await expectInvalidFields(await get("?cursor=forged"))).toEqual(["query.cursor"]);
    await expectProblem(await self.send("/api/api-tokens/"), 401, "UNAUTHENTICATED");
  });
});

describe("DELETE /api/api-tokens/{id}/", () => {
  it("revokes the owner's token at once; again is 204 and changes nothing", async () => {
    const owner = await userWithRole(self.send, "usuario");
    const { id, token } = await createApiToken(self.send, owner.accessToken);
    expect((await self.send("/auth/me", { headers: bearer(token) })).status).toBe(200);
    expect((await revoke(id, owner.accessToken)).status).toBe(204);
    await expectProblem(await self.send("/auth/me", { headers: bearer(token) }), 401, "INVALID_TOKEN");
    const shown = (await list(owner.accessToken)).tokens.find((listed) => listed.id === id);
    expect(shown).toMatchObject({ status: "revoked", revoked_by: owner.userId, revoked_reason: "revoked" });
    const revokedAt = shown?.revoked_at;
    expect((await revoke(id, owner.accessToken)).status).toBe(204);
    const again = (await list(owner.accessToken)).tokens.find((listed) => listed.id === id);
    expect(again?.revoked_at).toBe(revokedAt);
    const audits = (await auditRows(self.ip)).filter(
      (row) => row.event === "api_token.revoke" && row.target_id === id,
    );
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actor_id: owner.userId, target_type: "api_token", result: "success" });
  });

  it("hides another user's token from usuario and gestor (404); admin and root revoke anyone's", async () => {
    const owner = await userWithRole(self.send, "usuario");
    for (const role of ["usuario", "gestor"] as const) {
      const stranger = await userWithRole(self.send, role);
      const { id } = await createApiToken(self.send, owner.accessToken);
      await expectProblem(await revoke(id, stranger.accessToken), 404, "NOT_FOUND");
      expect((await list(owner.accessToken)).tokens.find((token) => token.id === id)?.status).toBe("active");
    }
    for (const role of ["admin", "root"] as const) {
      const admin = await userWithRole(self.send, role);
      const { id } = await createApiToken(self.send, owner.accessToken);
      expect((await revoke(id, admin.accessToken)).status).toBe(204);
      expect((await list(owner.accessToken)).tokens.find((token) => token.id === id)).toMatchObject({
        status: "revoked",
        revoked_by: admin.userId,
      });
    }
    const root = await rootUser(self.send);
    await expectProblem(await revoke("tok_00000000000000000000000000", root.accessToken), 404, "NOT_FOUND");
  });

  it("is closed to API tokens, even one revoking itself", async () => {
    const owner = await userWithRole(self.send, "admin");
    const { id, token } = await createApiToken(self.send, owner.accessToken, { scope: "admin" });
    const problem = await expectProblem(await revoke(id, token), 403, "FORBIDDEN");
    expect(problem.detail).toContain("API tokens cannot do this");
    await expectProblem(await revoke(id, "not-a-token"), 401, "INVALID_TOKEN");
  });

  it("lets exactly one of concurrent revocations write the audit row", async () => {
    const owner = await userWithRole(self.send, "usuario");
    const { id } = await createApiToken(self.send, owner.accessToken);
    const statuses = await Promise.all(Array.from({ length: 8 }, () => revoke(id, owner.accessToken)));
    expect(statuses.map((response) => response.status)).toEqual(Array(8).fill(204));
    const audits = (await auditRows(self.ip)).filter(
      (row) => row.event === "api_token.revoke" && row.target_id === id,
    );
    expect(audits).toHaveLength(1);
  });
});
