/// <reference types="vite/client" />
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { buildApp } from "../../src/app";
import { loadConfig } from "../../src/config";
import wranglerToml from "../../wrangler.toml?raw";

/** The text of one `[table]` of wrangler.toml, up to the next table header. */
function section(header: string): string {
  const start = wranglerToml.indexOf(`\n${header}\n`);
  expect(start, header).toBeGreaterThan(-1);
  const rest = wranglerToml.slice(start + header.length + 2);
  return rest.slice(0, rest.search(/^\[/m) === -1 ? undefined : rest.search(/^\[/m));
}

/** `KEY = "value"` lines of a section (what [vars] tables hold). */
function stringsOf(text: string): Record<string, string> {
  return Object.fromEntries(
    [...text.matchAll(/^([A-Z0-9_]+) = "([^"]*)"/gm)].map((match) => [match[1], match[2]]),
  );
}

// The committed production vars, with the secrets an operator puts (the test project's keys) and a
// METRICS_TOKEN; bindings are the test project's (no HYPERDRIVE: a D1 deploy has none).
const productionVars = stringsOf(section("[env.production.vars]"));
const { HYPERDRIVE: _hyperdrive, ...bindingsWithoutHyperdrive } = env;
const production = {
  ...bindingsWithoutHyperdrive,
  ...productionVars,
  METRICS_TOKEN: "a-long-random-metrics-token-from-wrangler-secret",
} as unknown as Env;

function failureOf(vars: Record<string, unknown>): string {
  try {
    loadConfig({ ...production, ...vars } as Env);
  } catch (error) {
    return (error as Error).message;
  }
  return "";
}

describe("deployment settings", () => {
  it("the committed [env.production] passes the start-up checks once its secrets are set", () => {
    const config = loadConfig(production);
    expect(config).toMatchObject({ environment: "production", database: "d1" });
    expect(config.app.baseUrl).toMatch(/^https:\/\//);
    expect(config.mail.transport).toBe("email-service");
    expect(config.metricsToken).toBeDefined();
  });

  it("[env.production] sets every var of [vars] (wrangler does not inherit them into an environment)", () => {
    const topLevel = Object.keys(stringsOf(section("[vars]"))).sort();
    expect(Object.keys(productionVars).sort()).toEqual(topLevel);
  });

  it("[env.production] turns workers.dev and preview URLs off and needs no Hyperdrive config", () => {
    const table = section("[env.production]");
    expect(table).toMatch(/^workers_dev = false$/m);
    expect(table).toMatch(/^preview_urls = false$/m);
    expect(wranglerToml).not.toMatch(/^\[\[env\.production\.hyperdrive\]\]/m);
    // The consumer's retries match the var, as at the top level.
    const consumer = wranglerToml.slice(wranglerToml.indexOf("[[env.production.queues.consumers]]"));
    expect(consumer).toMatch(new RegExp(`max_retries = ${productionVars.EMAIL_MAX_RETRIES} `));
  });

  for (const environment of ["production", "staging"]) {
    it(`${environment} refuses unsafe settings at start, naming each variable`, () => {
      const unsafe: Array<[Record<string, unknown>, string]> = [
        [{ METRICS_TOKEN: undefined }, "METRICS_TOKEN"],
        [{ METRICS_TOKEN: "  " }, "METRICS_TOKEN"],
        [{ APP_BASE_URL: "http://auth.example.com" }, "APP_BASE_URL"],
        [{ MAIL_TRANSPORT: "capture" }, "MAIL_TRANSPORT"],
        [{ PROFILE: "on" }, "PROFILE"],
        [
          {
            MAIL_TRANSPORT: "smtp",
            MAIL_HOST: "smtp.example.com",
            MAIL_USER: "mailer",
            MAIL_PASSWORD: "smtp-secret-value",
            MAIL_TLS: "none",
          },
          "MAIL_TLS",
        ],
      ];
      for (const [vars, name] of unsafe) {
        const failure = failureOf({ ...vars, ENVIRONMENT: environment });
        expect(failure, name).toContain(`${name}:`);
        expect(failure).toContain(`in ${environment}`);
        expect(failure).not.toContain("smtp-secret-value");
      }
    });
  }

  it("development keeps its shortcuts (capture, http, public /metrics)", () => {
    const config = loadConfig({
      ...production,
      ENVIRONMENT: "development",
      METRICS_TOKEN: "",
      APP_BASE_URL: "http://localhost:8787",
      MAIL_TRANSPORT: "capture",
    } as Env);
    expect(config.mail.transport).toBe("capture");
  });

  it("DATABASE = hyperdrive needs the HYPERDRIVE binding; d1 does not", () => {
    expect(failureOf({ DATABASE: "hyperdrive" })).toContain("HYPERDRIVE: binding is required");
    expect(loadConfig({ ...env, DATABASE: "hyperdrive" }).database).toBe("hyperdrive");
  });

  it("refresh tokens need an audience of their own, and the idle timeout fits in the lifetime", () => {
    expect(failureOf({ JWT_AUDIENCE: productionVars.JWT_ISSUER })).toContain("JWT_AUDIENCE");
    expect(failureOf({ REFRESH_TOKEN_TTL: "2592001" })).toContain("REFRESH_TOKEN_TTL");
    expect(failureOf({ SESSION_MAX_LIFETIME: "3600" })).toContain("REFRESH_TOKEN_TTL");
  });

  it("in production nothing is served on a *.workers.dev hostname", async () => {
    const app = buildApp();
    const get = async (origin: string) => {
      const ctx = createExecutionContext();
      const response = await app.fetch(new Request(`${origin}/healthz`), production, ctx);
      await waitOnExecutionContext(ctx);
      return response;
    };
    const refused = await get("https://edge-auth-production.example.workers.dev");
    expect(refused.status).toBe(404);
    expect(await refused.json()).toMatchObject({ code: "ROUTE_NOT_FOUND" });
    expect((await get("https://auth.example.com")).status).toBe(200);
  });
});
