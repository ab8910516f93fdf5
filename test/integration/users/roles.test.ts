import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { ListUsersResponse } from "../../../src/features/users/routes/list-users";
import type { Role } from "../../../src/features/users/user";
import {
  asClient,
  auditRows,
  bearer,
  createHarness,
  decodeJwt,
  expectInvalidFields,
  expectProblem,
  jsonRequest,
  login,
  refresh,
  register,
  type Send,
  type TokenPairBody,
  viaSelf,
} from "../../helpers/accounts";
import { createApiToken, rootUser, userWithRole } from "../../helpers/api-tokens";

// A client IP of this file's own: test files share one D1, and audit rows are read per client.
const self = asClient(viaSelf);

const setRole = (send: Send, credential: string, userId: string, role: unknown) =>
  send(`/api/users/${userId}/role`, { ...jsonRequest({ role }, bearer(credential)), method: "PUT" });

describe("PUT /api/users/{id}/role", () => {
  let root: { userId: string; accessToken: string };
  beforeAll(async () => {
    root = await rootUser(self.send);
  });

  it("lets root and admin set roles up to their own, audited", async () => {
    const target = await userWithRole(self.send, "usuario");
    const promoted = await setRole(self.send, root.accessToken, target.userId, "admin");
    expect(promoted.status).toBe(200);
    expect(await promoted.json()).toMatchObject({
      id: target.userId,
      username: target.username,
      role: "admin",
    });
    const admin = await userWithRole(self.send, "admin");
    for (const role of ["gestor", "usuario", "admin"] as const) {
      const response = await setRole(self.send, admin.accessToken, target.userId, role);
      expect(response.status, role).toBe(200);
      expect(((await response.json()) as { role: Role }).role).toBe(role);
    }
    const audits = (await auditRows(self.ip)).filter(
      (row) => row.event === "user.role_change" && row.target_id === target.userId,
    );
    expect(audits.map((row) => [row.actor_id, JSON.parse(String(row.metadata))])).toEqual([
      [root.userId, { from: "usuario", to: "admin" }],
      [admin.userId, { from: "admin", to: "gestor" }],
      [admin.userId, { from: "gestor", to: "usuario" }],
      [admin.userId, { from: "usuario", to: "admin" }],
    ]);
    // The same role again changes nothing and writes nothing.
    expect((await setRole(self.send, admin.accessToken, target.userId, "admin")).status).toBe(200);
    expect(
      (await auditRows(self.ip)).filter(
        (row) => row.event === "user.role_change" && row.target_id === target.userId,
      ),
    ).toHaveLength(4);
  });

  it("refuses one's own role, a role above one's own, and someone above oneself: 403", async () => {
    const admin = await userWithRole(self.send, "admin");
    const otherRoot = await userWithRole(self.send, "root");
    const target = await userWithRole(self.send, "usuario");
    const cases: Array<[string, string, Role, string]> = [
      [admin.accessToken, admin.userId, "usuario", "Nobody changes their own role"],
      [root.accessToken, root.userId, "admin", "Nobody changes their own role"],
      [admin.accessToken, target.userId, "root", "Nobody grants a role above their own"],
      [admin.accessToken, otherRoot.userId, "admin", "This user's role is above yours"],
    ];
    for (const [credential, userId, role, detail] of cases) {
      const problem = await expectProblem(
        await setRole(self.send, credential, userId, role),
        403,
        "FORBIDDEN",
      );
      expect(problem.detail).toBe(detail);
    }
    const refusals = (await auditRows(self.ip)).filter(
      (row) => row.event === "user.role_change" && row.result === "failure",
    );
    expect(refusals.slice(-4).map((row) => row.reason)).toEqual([
      "own_role",
      "own_role",
      "above_own_role",
      "target_outranks",
    ]);
    // Root may change another root.
    expect((await setRole(self.send, root.accessToken, otherRoot.userId, "admin")).status).toBe(200);
  });

  it("is for admin and root only; 401 without credentials; 404 for an unknown user", async () => {
    const target = await userWithRole(self.send, "usuario");
    for (const role of ["usuario", "gestor"] as const) {
      const caller = await userWithRole(self.send, role);
      const problem = await expectProblem(
        await setRole(self.send, caller.accessToken, target.userId, "usuario"),
        403,
      );
      expect(problem.detail).toBe("This needs the admin role or above");
    }
    await expectProblem(
      await self.send(`/api/users/${target.userId}/role`, {
        ...jsonRequest({ role: "gestor" }),
        method: "PUT",
      }),
      401,
      "UNAUTHENTICATED",
    );
    await expectProblem(
      await setRole(self.send, root.accessToken, "usr_00000000000000000000000000", "gestor"),
      404,
      "NOT_FOUND",
    );
  });

  it("validates the body and the id", async () => {
    const target = await userWithRole(self.send, "usuario");
    expect(
      await expectInvalidFields(await setRole(self.send, root.accessToken, target.userId, "boss")),
    ).toEqual(["body.role"]);
    expect(
      await expectInvalidFields(await setRole(self.send, root.accessToken, target.userId, undefined)),
    ).toEqual(["body.role"]);
    expect(
      await expectInvalidFields(await setRole(self.send, root.accessToken, "x".repeat(41), "gestor")),
    ).toEqual(["param.id"]);
  });

  it("a demotion cuts off the user's access tokens; the next refresh carries the new role", async () => {
    const harness = createHarness({ AUTH_CACHE_SECONDS: "5" });
    const { account, userId } = await register(harness.send);
    await env.DB.prepare("UPDATE users SET role = 'admin' WHERE id = ?").bind(userId).run();
    // Tokens issued while admin: their `roles` claim says admin.
    const tokens = await login(harness.send, account.username, account.password);
    expect(decodeJwt(tokens.accessToken).payload.roles).toEqual(["admin"]);
    const apiToken = await createApiToken(harness.send, tokens.accessToken, { scope: "admin" });
    const harnessRoot = await rootUser(harness.send);
    // Used once, so this isolate holds a cached lookup of it with the admin role.
    expect((await harness.send("/api/users", { headers: bearer(apiToken.token) })).status).toBe(200);
    harness.clock.advance(1000);
    expect((await setRole(harness.send, harnessRoot.accessToken, userId, "usuario")).status).toBe(200);

    await expectProblem(
      await harness.send("/auth/me", { headers: bearer(tokens.accessToken) }),
      401,
      "INVALID_TOKEN",
    );
    const renewed = (await (await refresh(harness.send, tokens.refreshToken)).json()) as TokenPairBody;
    expect(decodeJwt(renewed.accessToken).payload.roles).toEqual(["usuario"]);
    const profile = await harness.send("/auth/me", { headers: bearer(renewed.accessToken) });
    expect(await profile.json()).toMatchObject({ role: "usuario" });
    // The admin-scope API token now acts as a usuario: this isolate forgot its cached lookup.
    await expectProblem(
      await harness.send("/api/users", { headers: bearer(apiToken.token) }),
      403,
      "FORBIDDEN",
    );
  });

  it("a promotion applies at once here, without cutting anything off", async () => {
    const harness = createHarness();
    const user = await userWithRole(harness.send, "usuario");
    const harnessRoot = await rootUser(harness.send);
    await expectProblem(
      await harness.send("/api/users", { headers: bearer(user.accessToken) }),
      403,
      "FORBIDDEN",
    );
    harness.clock.advance(1000);
    expect((await setRole(harness.send, harnessRoot.accessToken, user.userId, "admin")).status).toBe(200);
    expect((await harness.send("/api/users", { headers: bearer(user.accessToken) })).status).toBe(200);
  });
});

describe("GET /api/users", () => {
  let root: { userId: string; accessToken: string };
  const list = async (query: string) => {
    const response = await self.send(`/api/users${query}`, { headers: bearer(root.accessToken) });
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as ListUsersResponse;
  };
  beforeAll(async () => {
    root = await rootUser(self.send);
  });

  it("lists users newest first with filters and a cursor, never a password hash", async () => {
    const tag = `lst${Date.now().toString(36)}`;
    const made = [];
    for (const role of ["gestor", "usuario", "gestor", "gestor"] as const) {
      const { account, userId } = await register(self.send, {
        username: `${tag}.${made.length}`,
        email: `${tag}.${made.length}@example.com`,
        password: `tangerine voyage ${tag}`,
        name: "Listed",
      });
      await env.DB.prepare("UPDATE users SET role = ? WHERE id = ?").bind(role, userId).run();
      made.push({ userId, role, username: account.username });
    }
    await env.DB.prepare("UPDATE users SET status = 'disabled' WHERE id = ?").bind(made[3]!.userId).run();

    const all = await list(`?q=${tag.toUpperCase()}`);
    expect(all.users.map((user) => user.id)).toEqual(made.map((user) => user.userId).reverse());
    expect(all.nextCursor).toBeNull();
    expect(JSON.stringify(all)).not.toContain("argon2");
    expect(all.users[0]).toEqual({
      id: made[3]!.userId,
      username: made[3]!.username,
      email: `${made[3]!.username}@example.com`,
      name: "Listed",
      role: "gestor",
      status: "disabled",
      emailVerified: false,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });

    const gestores = await list(`?q=${tag}&role=gestor&status=active`);
    expect(gestores.users.map((user) => user.id)).toEqual([made[2]!.userId, made[0]!.userId]);

    const first = await list(`?q=${tag}&limit=3`);
    expect(first.users).toHaveLength(3);
    const second = await list(`?q=${tag}&limit=3&cursor=${first.nextCursor}`);
    expect(second).toEqual({ users: [expect.objectContaining({ id: made[0]!.userId })], nextCursor: null });

    // Search by e-mail, and LIKE wildcards taken literally.
    expect((await list(`?q=${tag}.1@example`)).users.map((user) => user.id)).toEqual([made[1]!.userId]);
    expect((await list(`?q=${tag}%25`)).users).toEqual([]);
    expect((await list(`?q=${tag.slice(0, 3)}_${tag.slice(4)}`)).users).toEqual([]);
  });

  it("is for admin and root; validates the query", async () => {
    const gestor = await userWithRole(self.send, "gestor");
    await expectProblem(
      await self.send("/api/users", { headers: bearer(gestor.accessToken) }),
      403,
      "FORBIDDEN",
    );
    await expectProblem(await self.send("/api/users"), 401, "UNAUTHENTICATED");
    const admin = await userWithRole(self.send, "admin");
    expect((await self.send("/api/users", { headers: bearer(admin.accessToken) })).status).toBe(200);
    const invalid = await self.send("/api/users?role=boss&status=gone&limit=500&q=&cursor=nope", {
      headers: bearer(root.accessToken),
    });
    expect(await expectInvalidFields(invalid)).toEqual([
      "query.role",
      "query.status",
      "query.q",
      "query.limit",
    ]);
    expect(
      await expectInvalidFields(
        await self.send("/api/users?cursor=nope", { headers: bearer(root.accessToken) }),
      ),
    ).toEqual(["query.cursor"]);
  });
});
