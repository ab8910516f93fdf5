import { env } from "cloudflare:test";
import { expect } from "vitest";
import type { CreateApiTokenResponse } from "../../src/features/api-tokens/routes/create";
import type { Role } from "../../src/features/users/user";
import { bearer, jsonRequest, login, register, type Send } from "./accounts";

/** A registered user whose global role was set in the database, with an access token. */
export interface RoleUser {
  userId: string;
  role: Role;
  username: string;
  password: string;
  accessToken: string;
}

/**
 * Registers a user and gives them `role` directly in the database (this service reads the current
 * role on every request, so the access token from registration already acts with it).
 */
export async function userWithRole(send: Send, role: Role): Promise<RoleUser> {
  const { account, tokens, userId } = await register(send);
  await env.DB.prepare("UPDATE users SET role = ? WHERE id = ?").bind(role, userId).run();
  return {
    userId,
    role,
    username: account.username,
    password: account.password,
    accessToken: tokens.accessToken,
  };
}

/** The dev admin (`admin`/`admin`, root) signed in. */
export async function rootUser(send: Send): Promise<{ userId: string; accessToken: string }> {
  const tokens = await login(send, "admin", "admin");
  const me = (await (await send("/auth/me", { headers: bearer(tokens.accessToken) })).json()) as {
    id: string;
  };
  return { userId: me.id, accessToken: tokens.accessToken };
}

/** `POST /api/api-tokens/` as `accessToken`; expects 201 and returns the body. */
export async function createApiToken(
  send: Send,
  accessToken: string,
  body: Record<string, unknown> = {},
): Promise<CreateApiTokenResponse> {
  const response = await send(
    "/api/api-tokens/",
    jsonRequest({ nome: "Token de teste", scope: "read", ...body }, bearer(accessToken)),
  );
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as CreateApiTokenResponse;
}

/** Sets a column of an API token directly (what another isolate or an operator would do). */
export async function updateApiToken(id: string, column: "revoked_at" | "expires_at", value: number) {
  await env.DB.prepare(`UPDATE api_tokens SET ${column} = ? WHERE id = ?`).bind(value, id).run();
}
