import { beforeAll, describe, expect, it } from "vitest";
import type { CreateTenantResponse } from "../../../src/features/tenants/routes/create";
import type { ListTenantsResponse } from "../../../src/features/tenants/routes/list";
import {
  bearer,
  createHarness,
  expectInvalidFields,
  expectProblem,
  type Harness,
  jsonRequest,
} from "../../helpers/accounts";
import { createApiToken, rootUser, userWithRole } from "../../helpers/api-tokens";
import { createTenant, tenantSlug } from "../../helpers/tenants";

describe("/api/tenants", () => {
  let harness: Harness;
  let root: string;

  const patch = (token: string, slug: string, body: unknown) =>
    harness.send(`/api/tenants/${slug}`, {
      method: "PATCH",
      headers: { ...bearer(token), "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    harness = createHarness();
    root = (await rootUser(harness.send)).accessToken;
  }, 60_000);

  it("creates a tenant with the default timeout, refuses a taken slug, and audits", async () => {
    const slug = tenantSlug();
    const created = await createTenant(harness.send, root, { slug, name: "Acme" });
    expect(created).toMatchObject({
      slug,
      name: "Acme",
      status: "active",
      session_timeout_seconds: 3600,
      session_timeout_is_default: true,
      mfa_required: false,
    });
    expect(created.id).toMatch(/^tnt_/);
    await expectProblem(
      await harness.send("/api/tenants", jsonRequest({ slug, name: "Again" }, bearer(root))),
      409,
    );
    const rows = (await harness.auditRows()).filter((row) => row.target_id === created.id);
    expect(rows.map((row) => row.event)).toEqual(["tenant.create"]);
  });

  it("validates slug, name and timeout", async () => {
    const response = await harness.send(
      "/api/tenants",
      jsonRequest({ slug: "Not A Slug", name: "", session_timeout_seconds: 5 }, bearer(root)),
    );
    expect((await expectInvalidFields(response)).sort()).toEqual([
      "body.name",
      "body.session_timeout_seconds",
      "body.slug",
    ]);
  });

  it("is for global admins and root only", async () => {
    await expectProblem(await harness.send("/api/tenants"), 401);
    const gestor = await userWithRole(harness.send, "gestor");
    await expectProblem(await harness.send("/api/tenants", { headers: bearer(gestor.accessToken) }), 403);
    const admin = await userWithRole(harness.send, "admin");
    expect((await harness.send("/api/tenants", { headers: bearer(admin.accessToken) })).status).toBe(200);
    // Creating needs the admin scope of an API token.
    const write = await createApiToken(harness.send, root, { scope: "write" });
    await expectProblem(
      await harness.send("/api/tenants", jsonRequest({ slug: tenantSlug(), name: "X" }, bearer(write.token))),
      403,
    );
  });

  it("lists by slug with a cursor, reads one and 404s an unknown one", async () => {
    await createTenant(harness.send, root);
    await createTenant(harness.send, root);
    const first = (await (
      await harness.send("/api/tenants?limit=1", { headers: bearer(root) })
    ).json()) as ListTenantsResponse;
    expect(first.items).toHaveLength(1);
    const second = (await (
      await harness.send(`/api/tenants?limit=1&cursor=${first.next_cursor}`, { headers: bearer(root) })
    ).json()) as ListTenantsResponse;
    expect(second.items[0]!.slug > first.items[0]!.slug).toBe(true);
    const one = await harness.send(`/api/tenants/${first.items[0]!.slug}`, { headers: bearer(root) });
    expect(((await one.json()) as CreateTenantResponse).id).toBe(first.items[0]!.id);
    await expectProblem(await harness.send("/api/tenants/no-such-tenant-zz", { headers: bearer(root) }), 404);
  });

  it("changes only the fields sent and returns to the default timeout with null", async () => {
    const created = await createTenant(harness.send, root, { session_timeout_seconds: 600 });
    const changed = await patch(root, created.slug, { mfa_required: true, name: "Renamed" });
    expect(await changed.json()).toMatchObject({
      name: "Renamed",
      mfa_required: true,
      session_timeout_seconds: 600,
    });
    const reset = await patch(root, created.slug, { session_timeout_seconds: null });
    expect(await reset.json()).toMatchObject({
      session_timeout_seconds: 3600,
      session_timeout_is_default: true,
    });
    expect(await (await patch(root, created.slug, { status: "disabled" })).json()).toMatchObject({
      status: "disabled",
    });
    await expectProblem(await patch(root, "no-such-tenant-zz", { name: "x" }), 404);
    expect(await expectInvalidFields(await patch(root, created.slug, { status: "gone" }))).toEqual([
      "body.status",
    ]);
  });
});
