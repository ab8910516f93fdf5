import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Page } from "playwright-core";
import { expect } from "vitest";

/** Debian's Chromium, never a downloaded build; flags keep it off the network and quiet. */
export const CHROMIUM = "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
];

const AXE = readFileSync(resolve("node_modules", "axe-core", "axe.min.js"), "utf8");

interface AxeResults {
  violations: Array<{ id: string; impact: string | null; help: string; nodes: unknown[] }>;
}

/** axe-core in the page, WCAG 2.x A/AA rules: the violations that are serious or critical. */
export async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(AXE);
  const results = await page.evaluate(() => {
    const axe = (globalThis as unknown as { axe: { run(options: object): Promise<AxeResults> } }).axe;
    return axe.run({ runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
  });
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.length})`);
}

/** Saves full-page screenshots under test-results/<folder>/ (git-ignored), for review. */
export function screenshots(folder: string) {
  const directory = resolve("test-results", folder);
  mkdirSync(directory, { recursive: true });
  return async (page: Page, name: string): Promise<void> => {
    const path = join(directory, `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    console.log(`screenshot: ${path}`);
  };
}

/**
 * The TOTP code of `secret` at `seconds` from Debian's oathtool (OATH Toolkit), an RFC 6238
 * implementation sharing no code with the Worker's.
 */
export function oathtool(secret: string, seconds = Math.floor(Date.now() / 1000)): string {
  const result = spawnSync("oathtool", ["--totp", "-b", "--now", `@${seconds}`, secret], {
    encoding: "utf8",
  });
  if (result.error) throw result.error;
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.trim();
}
