import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const baseUrl = inject("baseUrl");

// Debian's Chromium, never a downloaded build; flags keep it off the network and quiet.
const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

describe("GET /docs in a real browser", () => {
  let browser: Browser;

  beforeAll(async () => {
    // launch() gives the browser a fresh temporary profile and removes it on close().
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("shows the operations, with every asset from the Worker itself, under its CSP, and no console error", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    const requested: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(`console: ${message.text()} (${message.location().url})`);
    });
    page.on("pageerror", (error) => errors.push(`page: ${error.message}`));
    page.on("requestfailed", (request) =>
      errors.push(`failed: ${request.url()} ${request.failure()?.errorText}`),
    );
    page.on("request", (request) => requested.push(request.url()));

    const response = await page.goto(`${baseUrl}/docs`, { waitUntil: "load" });
    expect(response?.status()).toBe(200);
    // It renders under its strict CSP: a violation would be a console error, caught below.
    expect(response?.headers()["content-security-policy"]).toContain("script-src 'self';");
    // Swagger UI renders one .opblock per operation once it has fetched /openapi.json.
    await page.locator(".opblock").first().waitFor({ timeout: 15_000 });
    await page.waitForLoadState("networkidle");
    const paths = await page
      .locator(".opblock .opblock-summary-path")
      .evaluateAll((elements) => elements.map((element) => element.getAttribute("data-path")));

    await context.close();
    expect(paths).toEqual(expect.arrayContaining(["/healthz", "/readyz", "/.well-known/jwks.json"]));
    expect(errors).toEqual([]);
    const network = requested.filter((url) => !url.startsWith("data:"));
    expect(network).toContain(`${baseUrl}/openapi.json`);
    expect(network.filter((url) => new URL(url).origin !== baseUrl)).toEqual([]);
  });
});
