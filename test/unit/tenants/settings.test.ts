import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config";
import { tenantLabel } from "../../../src/features/tenants/metric-labels";
import { TENANT_SLUG } from "../../../src/features/tenants/repository";
import { tenantRoleAtLeast } from "../../../src/features/tenants/roles";

describe("tenant settings", () => {
  it("defaults TENANT_SESSION_TIMEOUT to an hour and bounds it to 60..86400", () => {
    expect(loadConfig(env).tenantSessionTimeout).toBe(3600);
    expect(loadConfig({ ...env, TENANT_SESSION_TIMEOUT: "600" }).tenantSessionTimeout).toBe(600);
    expect(() => loadConfig({ ...env, TENANT_SESSION_TIMEOUT: "59" })).toThrow(/TENANT_SESSION_TIMEOUT/);
    expect(() => loadConfig({ ...env, TENANT_SESSION_TIMEOUT: "86401" })).toThrow(/TENANT_SESSION_TIMEOUT/);
  });

  it("labels only the tenants METRICS_TENANTS names, at most 20, everything else 'other'", () => {
    const config = loadConfig({ ...env, METRICS_TENANTS: "acme, globex,initech" });
    expect(config.metrics.tenants).toEqual(["acme", "globex", "initech"]);
    expect(["acme", "globex", "umbrella", undefined].map((slug) => tenantLabel(config, slug))).toEqual([
      "acme",
      "globex",
      "other",
      "other",
    ]);
    expect(tenantLabel(loadConfig(env), "acme")).toBe("other");
    const tooMany = Array.from({ length: 21 }, (_, i) => `t${i}`).join(",");
    expect(() => loadConfig({ ...env, METRICS_TENANTS: tooMany })).toThrow(/METRICS_TENANTS/);
  });

  it("accepts DNS-label slugs only", () => {
    const valid = ["a", "acme", "acme-2", "0", `a${"b".repeat(61)}c`];
    const invalid = ["", "-acme", "acme-", "Acme", "ac me", "acme_2", `a${"b".repeat(62)}c`, "café"];
    expect(valid.filter((slug) => TENANT_SLUG.test(slug))).toEqual(valid);
    expect(invalid.filter((slug) => TENANT_SLUG.test(slug))).toEqual([]);
  });

  it("ranks tenant roles admin > gestor > usuario", () => {
    expect(tenantRoleAtLeast("admin", "gestor")).toBe(true);
    expect(tenantRoleAtLeast("gestor", "gestor")).toBe(true);
    expect(tenantRoleAtLeast("usuario", "gestor")).toBe(false);
    expect(tenantRoleAtLeast("gestor", "admin")).toBe(false);
  });
});
