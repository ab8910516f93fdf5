import { env } from "cloudflare:test";
import { expect } from "vitest";
import { DEVELOPMENT_ADMIN } from "../../src/features/accounts/initial-admin/service";
import type { CreateInviteResponse } from "../../src/features/invites/routes/create";
import type { TenantRole } from "../../src/features/tenants/repository";
import type { Role } from "../../src/features/users/user";
import { systemClock } from "../../src/platform/clock";
import { newId } from "../../src/platform/ids";
import { cryptoRandom } from "../../src/platform/random";
import { bearer, type Harness, jsonRequest, login, register, type Send } from "./accounts";
import { unique } from "./dialects";

/** A signed-in user of the test: their id, a header that authenticates them, how to sign in again. */
export interface Actor {
  userId: string;
  auth: Record<string, string>;
  credentials: { identifier: string; password: string };
}

/** Signs `actor` in again (after the manual clock moved past their access token's expiry). */
export async function signInAgain(send: Send, actor: Actor): Promise<Actor> {
  const tokens = await login(send, actor.credentials.identifier, actor.credentials.password);
  return { ...actor, auth: bearer(tokens.accessToken) };
}

/** Creates the tenants (slug = name) that do not exist yet and returns their ids by slug. */
export async function ensureTenants(...slugs: string[]): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const slug of slugs) {
    await env.DB.prepare(
      "INSERT INTO tenants (id, slug, name, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
    )
      .bind(newId("tenant", systemClock, cryptoRandom), slug, slug, Date.now())
      .run();
    const row = await env.DB.prepare("SELECT id FROM tenants WHERE slug = ?")
      .bind(slug)
      .first<{ id: string }>();
    ids[slug] = row!.id;
  }
  return ids;
}

/** Makes `userId` a member of each tenant (by slug) with this tenant role. */
export async function joinTenantsAs(userId: string, role: TenantRole, ...slugs: string[]): Promise<void> {
  const ids = await ensureTenants(...slugs);
  for (const slug of slugs) {
    await env.DB.prepare(
      "INSERT INTO tenant_members (user_id, tenant_id, created_at, role) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
    )
      .bind(userId, ids[slug], Date.now(), role)
      .run();
  }
}

/** Makes `userId` a member of each tenant (by slug) with tenant role `usuario`. */
export async function joinTenants(userId: string, ...slugs: string[]): Promise<void> {
  await joinTenantsAs(userId, "usuario", ...slugs);
}

/**
 * A freshly registered user with this global role (set directly, as a fixture) and member of these
 * tenants with the matching tenant role (root and admin as admin), unless `tenantRole` says another:
 * a gestor fixture is a gestor of its tenants, as one who issues invites there must be.
 */
export async function userWithRole(
  send: Send,
  role: Role,
  tenants: string[] = [],
  tenantRole: TenantRole = role === "root" ? "admin" : role,
): Promise<Actor> {
  const { tokens, userId, account } = await register(send);
  await env.DB.prepare("UPDATE users SET role = ? WHERE id = ?").bind(role, userId).run();
  if (tenants.length > 0) await joinTenantsAs(userId, tenantRole, ...tenants);
  return {
    userId,
    auth: bearer(tokens.accessToken),
    credentials: { identifier: account.username, password: account.password },
  };
}

/** The development admin (`admin`/`admin`, global role admin, member of `default`). */
export async function devAdmin(send: Send): Promise<Actor> {
  const tokens = await login(send, DEVELOPMENT_ADMIN.username, DEVELOPMENT_ADMIN.password);
  const row = await env.DB.prepare("SELECT id FROM users WHERE username = ?")
    .bind(DEVELOPMENT_ADMIN.username)
    .first<{ id: string }>();
  return {
    userId: row!.id,
    auth: bearer(tokens.accessToken),
    credentials: { identifier: DEVELOPMENT_ADMIN.username, password: DEVELOPMENT_ADMIN.password },
  };
}

/**
 * Audit rows the harness's requests write from now on: call, do things, then call the returned
 * function. Rows are the harness's own (matched by its client IP): files share one D1.
 */
export async function auditRowsFromNow(
  h: Pick<Harness, "auditRows">,
): Promise<() => Promise<Array<Record<string, unknown>>>> {
  const seen = (await h.auditRows()).length;
  return async () => (await h.auditRows()).slice(seen);
}

/** POST /api/tokens/ as `actor`; returns the response. */
export function createInviteRequest(
  send: Send,
  actor: Actor,
  body: Record<string, unknown>,
  path = "/api/tokens/",
) {
  return send(path, jsonRequest(body, actor.auth));
}

/** Creates an invite that must succeed (201) and returns its body. */
export async function createInvite(
  send: Send,
  actor: Actor,
  body: Record<string, unknown> = { tipo_destino: "associado" },
): Promise<CreateInviteResponse> {
  const response = await createInviteRequest(send, actor, body);
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as CreateInviteResponse;
}

/** A tenant slug unique within the run. */
export const tenantSlug = () => unique("org").toLowerCase();
