import { SELF } from "cloudflare:test";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../../src/http/hono-env";
import { DEFAULT_HTML_CSP, securityHeaders } from "../../src/http/security-headers";

const get = (path: string) => SELF.fetch(`https://auth.test${path}`);

/** The CSP as directive → sources. */
function policy(header: string | null): Record<string, string[]> {
  return Object.fromEntries(
    (header ?? "")
      .split(";")
      .map((directive) => directive.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...sources]) => [name!, sources]),
  );
}

describe("security headers", () => {
  it("/docs: nosniff, no referrer, never framed, and its own CSP without inline script", async () => {
    const response = await get("/docs");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    const csp = policy(response.headers.get("content-security-policy"));
    expect(csp["default-src"]).toEqual(["'none'"]);
    expect(csp["script-src"]).toEqual(["'self'"]);
    expect(csp["frame-ancestors"]).toEqual(["'none'"]);
    expect(csp["base-uri"]).toEqual(["'none'"]);
    // Every script of the page is a file of this origin: nothing inline for the CSP to allow.
    const html = await response.text();
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/src="\/docs\/assets\//);
      expect(body!.trim()).toBe("");
    }
    const init = await get("/docs/assets/swagger-init.js");
    expect(await init.text()).toContain('url: "/openapi.json"');
  });

  it("an HTML page that sets no CSP gets the default one; one that sets its own keeps it", async () => {
    const app = new Hono<AppEnv>();
    app.use("*", securityHeaders());
    app.get("/plain", (c) => c.html("<p>hello</p>"));
    app.get("/strict", (c) => {
      c.header("content-security-policy", "default-src 'none'");
      return c.html("<p>strict</p>");
    });
    const plain = await app.request("/plain");
    expect(plain.headers.get("content-security-policy")).toBe(DEFAULT_HTML_CSP);
    expect(policy(DEFAULT_HTML_CSP)["script-src"]).toEqual(["'self'"]);
    expect(plain.headers.get("x-frame-options")).toBe("DENY");
    const strict = await app.request("/strict");
    expect(strict.headers.get("content-security-policy")).toBe("default-src 'none'");
    expect(strict.headers.get("referrer-policy")).toBe("no-referrer");
  });

  it("JSON responses and problems get nosniff, and no page headers", async () => {
    for (const path of ["/healthz", "/openapi.json", "/no-such-route"]) {
      const response = await get(path);
      expect(response.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(response.headers.get("x-frame-options"), path).toBeNull();
      expect(response.headers.get("content-security-policy"), path).toBeNull();
    }
  });
});
