import { beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../../src/app";
import { bearer, createHarness, type Harness, register } from "../../helpers/accounts";
import { rootUser } from "../../helpers/api-tokens";
import { agentOf, createTenant, tenantSignIn } from "../../helpers/tenants";

/** Every route under /tenants/{tenant_slug}/ that takes a credential, from the app's own table. */
function tenantRoutes(): Array<{ method: string; path: string }> {
  const seen = new Set<string>();
  for (const route of buildApp().routes) {
    if (route.method === "ALL" || !route.path.startsWith("/tenants/:tenant_slug/")) continue;
    seen.add(`${route.method} ${route.path}`);
  }
  return [...seen].map((key) => {
    const [method, path] = key.split(" ") as [string, string];
    return { method, path };
  });
}

describe("tenant isolation", () => {
  let harness: Harness;
  let a: { slug: string; adminToken: string; agentId: string };
  let b: { slug: string; agentId: string; token: string };

  beforeAll(async () => {
    harness = createHarness();
    const root = (await rootUser(harness.send)).accessToken;
    const tenantA = await createTenant(harness.send, root);
    const tenantB = await createTenant(harness.send, root);
    const adminA = await agentOf(harness.send, root, tenantA.slug, "admin");
    const adminB = await agentOf(harness.send, root, tenantB.slug, "admin");
    a = {
      slug: tenantA.slug,
      agentId: adminA.userId,
      adminToken: (
        await tenantSignIn(harness.send, tenantA.slug, adminA.account.email, adminA.account.password)
      ).access_token,
    };
    b = {
      slug: tenantB.slug,
      agentId: adminB.userId,
      token: (await tenantSignIn(harness.send, tenantB.slug, adminB.account.email, adminB.account.password))
        .access_token,
    };
  }, 60_000);

  it("drives every tenant route with tenant A's admin token against tenant B: never a 2xx", async () => {
    const routes = tenantRoutes();
    expect(routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      "DELETE /tenants/:tenant_slug/roles/:agent_id",
      "GET /tenants/:tenant_slug/healthz",
      "GET /tenants/:tenant_slug/roles",
      "POST /tenants/:tenant_slug/login",
      "POST /tenants/:tenant_slug/mfa/verify",
      "PUT /tenants/:tenant_slug/roles/:agent_id",
    ]);
    const outsider = await register(harness.send);
    for (const { method, path } of routes) {
      if (path.endsWith("/healthz") || path.endsWith("/login") || path.endsWith("/mfa/verify")) continue;
      for (const agentId of [b.agentId, outsider.userId]) {
        const url = path.replace(":tenant_slug", b.slug).replace(":agent_id", agentId);
        const response = await harness.send(url, {
          method,
          headers: { ...bearer(a.adminToken), "content-type": "application/json" },
          body: method === "PUT" ? JSON.stringify({ role: "usuario" }) : undefined,
        });
        expect([403, 404], `${method} ${url}: ${response.status}`).toContain(response.status);
      }
    }
    // Tenant B is untouched and its own token still works.
    const list = await harness.send(`/tenants/${b.slug}/roles`, { headers: bearer(b.token) });
    expect(list.status).toBe(200);
    expect(((await list.json()) as Array<{ agent_id: string }>).map((x) => x.agent_id)).toEqual([b.agentId]);
  });

  it("does not let a pending or active session of tenant A be verified through tenant B", async () => {
    const response = await harness.send(`/tenants/${b.slug}/mfa/verify`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ session_id: "tss_whatever", code: "123456", method: "totp" }),
    });
    expect(response.status).toBe(401);
  });

  it("answers /tenants/{slug}/healthz like /healthz, honouring X-Request-Id and X-Trace-Id", async () => {
    const response = await harness.send(`/tenants/${a.slug}/healthz`, {
      headers: { "x-request-id": "tenant-probe-1", "x-trace-id": "0af7651916cd43dd8448eb211c80319c" },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
    expect(response.headers.get("x-request-id")).toBe("tenant-probe-1");
    expect(response.headers.get("x-trace-id")).toBe("0af7651916cd43dd8448eb211c80319c");
    expect((await harness.send(`/tenants/${"a".repeat(81)}/healthz`)).status).toBe(400);
    // A failed tenant login echoes the client's id in its headers.
    const refused = await harness.send(`/tenants/${a.slug}/login`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "tenant-probe-2" },
      body: JSON.stringify({ email: "nobody@example.com", password: "whatever it is" }),
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("x-request-id")).toBe("tenant-probe-2");
    // The problem names the service's own request id (issue 8: a client cannot forge correlation).
    expect(((await refused.json()) as { requestId: string }).requestId).toMatch(/^req_/);
  });
});
