import { expect } from "vitest";
import type { TenantRole } from "../../src/features/tenants/repository";
import type { CreateTenantResponse } from "../../src/features/tenants/routes/create";
import type { TenantLoginResponse } from "../../src/features/tenants/routes/login";
import { bearer, jsonRequest, register, type Send } from "./accounts";
import { unique } from "./dialects";

/** A slug unique within the run that follows the slug rule. */
export const tenantSlug = (prefix = "t") => unique(prefix).toLowerCase().slice(0, 40);

/** `POST /api/tenants` as `token` (root or admin); expects 201. */
export async function createTenant(
  send: Send,
  token: string,
  body: { slug?: string; name?: string; session_timeout_seconds?: number; mfa_required?: boolean } = {},
): Promise<CreateTenantResponse> {
  const slug = body.slug ?? tenantSlug();
  const response = await send(
    "/api/tenants",
    jsonRequest({ name: `Tenant ${slug}`, ...body, slug }, bearer(token)),
  );
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as CreateTenantResponse;
}

/** `PUT /tenants/{slug}/roles/{agentId}` as `token`. */
export function putRole(send: Send, token: string, slug: string, agentId: string, role: TenantRole) {
  return send(`/tenants/${slug}/roles/${agentId}`, {
    method: "PUT",
    headers: { ...bearer(token), "content-type": "application/json" },
    body: JSON.stringify({ role }),
  });
}

/** A registered user made an agent of the tenant with `role` by `managerToken`. */
export async function agentOf(send: Send, managerToken: string, slug: string, role: TenantRole) {
  const registered = await register(send);
  const response = await putRole(send, managerToken, slug, registered.userId, role);
  expect(response.status, await response.clone().text()).toBe(200);
  return registered;
}

/** `POST /tenants/{slug}/login`. */
export function tenantLogin(send: Send, slug: string, email: string, password: string) {
  return send(`/tenants/${slug}/login`, jsonRequest({ email, password }));
}

/** A tenant login expected to succeed without MFA; returns the body with its access token. */
export async function tenantSignIn(send: Send, slug: string, email: string, password: string) {
  const response = await tenantLogin(send, slug, email, password);
  expect(response.status, await response.clone().text()).toBe(200);
  const body = (await response.json()) as TenantLoginResponse;
  expect(body.access_token).toBeDefined();
  return body as TenantLoginResponse & { access_token: string };
}

/** `POST /tenants/{slug}/mfa/verify`. */
export function mfaVerify(
  send: Send,
  slug: string,
  body: { session_id: string; code: string; method: string },
) {
  return send(`/tenants/${slug}/mfa/verify`, jsonRequest(body));
}
