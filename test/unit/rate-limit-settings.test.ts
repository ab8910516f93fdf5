/// <reference types="vite/client" />
import { env } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config";
import { clientAddress, normaliseIdentifier } from "../../src/features/rate-limit/client-key";
import { rateLimit } from "../../src/features/rate-limit/middleware";
import {
  formatRateLimit,
  parseRateLimit,
  RATE_LIMIT_POLICIES,
  RATE_LIMIT_POLICY_NAMES,
  tighterRateLimit,
} from "../../src/features/rate-limit/policies";
import wranglerToml from "../../wrangler.toml?raw";

describe("rate-limit settings", () => {
  it("reads every policy from its var: requests per s, m or h, or off", () => {
    // The test project turns every limit off (vitest.config.mts); this one is left to its default.
    const { RATE_LIMIT_LOGIN_IDENTIFIER: _off, ...vars } = env;
    const config = loadConfig({
      ...vars,
      RATE_LIMIT_LOGIN_IP: "100/1m",
      RATE_LIMIT_REGISTER_IP: " 3 / 2h ",
      RATE_LIMIT_REFRESH_IP: "OFF",
    } as unknown as Env);
    expect(config.rateLimits.login_ip).toEqual({ limit: 100, periodMs: 60_000 });
    expect(config.rateLimits.register_ip).toEqual({ limit: 3, periodMs: 7_200_000 });
    expect(config.rateLimits.refresh_ip).toBeNull();
    expect(config.rateLimits.login_identifier).toEqual({ limit: 100, periodMs: 3_600_000 });
  });

  it("falls back to each policy's default when its var is absent", () => {
    const vars: Record<string, unknown> = { ...env };
    for (const policy of Object.values(RATE_LIMIT_POLICIES)) delete vars[policy.variable];
    const config = loadConfig(vars as unknown as Env);
    for (const name of RATE_LIMIT_POLICY_NAMES) {
      const { fallback } = RATE_LIMIT_POLICIES[name];
      if (fallback === "off") {
        expect(config.rateLimits[name], name).toBeNull();
        continue;
      }
      const [limit, period] = fallback.split("/");
      expect(config.rateLimits[name]?.limit).toBe(Number(limit));
      expect(config.rateLimits[name]?.periodMs).toBe(Number.parseInt(period!, 10) * 1000);
    }
    expect(config.rateLimits.api_token).toBeNull();
  });

  it("rejects a malformed limit naming the var, never starting with a wrong limit", () => {
    for (const value of ["lots", "10", "0/60s", "10/0s", "10/60d", "10/30d", "-1/60s"]) {
      expect(() => loadConfig({ ...env, RATE_LIMIT_LOGIN_IDENTIFIER: value })).toThrow(
        /RATE_LIMIT_LOGIN_IDENTIFIER/,
      );
    }
  });

  it("wrangler.toml declares every policy var with its default", () => {
    // Read from the file: the test project's env overrides every policy var with "off".
    for (const policy of Object.values(RATE_LIMIT_POLICIES)) {
      expect(wranglerToml, policy.variable).toContain(`\n${policy.variable} = "${policy.fallback}"\n`);
    }
  });
});

describe("parseRateLimit and formatRateLimit", () => {
  it("read a limit as the vars write it and print it in seconds", () => {
    expect(parseRateLimit("100/60s")).toEqual({ limit: 100, periodMs: 60_000 });
    expect(parseRateLimit(" 10 / 1H ")).toEqual({ limit: 10, periodMs: 3_600_000 });
    expect(formatRateLimit({ limit: 10, periodMs: 3_600_000 })).toBe("10/3600s");
    for (const bad of ["off", "10", "0/60s", "10/0s", "10/8d", "10/10081m", "1/60", "-1/60s", "1e3/60s"]) {
      expect(parseRateLimit(bad), bad).toBeUndefined();
    }
  });
});

describe("tighterRateLimit", () => {
  it("keeps the one limit that is tighter in both burst and rate, and the other when there is none", () => {
    const operator = { limit: 1000, periodMs: 60_000 };
    expect(tighterRateLimit({ limit: 10, periodMs: 1000 }, operator)).toEqual({ limit: 10, periodMs: 1000 });
    expect(tighterRateLimit({ limit: 1_000_000, periodMs: 1000 }, operator)).toEqual(operator);
    expect(tighterRateLimit({ limit: 5, periodMs: 1000 }, null)).toEqual({ limit: 5, periodMs: 1000 });
    // A smaller burst at a faster rate: the smaller burst, at the slower rate.
    expect(tighterRateLimit({ limit: 100, periodMs: 1000 }, operator)).toEqual({
      limit: 100,
      periodMs: 6000,
    });
  });

  it("never allows a larger burst or a faster rate than either limit", () => {
    const setting = fc.record({
      limit: fc.integer({ min: 1, max: 9_999_999 }),
      periodMs: fc.integer({ min: 1, max: 604_800 }).map((seconds) => seconds * 1000),
    });
    fc.assert(
      fc.property(setting, setting, (a, b) => {
        const tighter = tighterRateLimit(a, b);
        const rate = tighter.limit / tighter.periodMs;
        return (
          tighter.limit <= Math.min(a.limit, b.limit) &&
          rate <= a.limit / a.periodMs &&
          rate <= b.limit / b.periodMs
        );
      }),
    );
  });
});

describe("rateLimit() middleware", () => {
  it("refuses, when the route is declared, a policy keyed on the API token", () => {
    expect(() => rateLimit("api_token")).toThrow(/authenticate\(\) applies it/);
  });
});

describe("clientAddress", () => {
  const from = (ip: string | null, extra: Record<string, string> = {}) =>
    clientAddress(new Headers({ ...(ip === null ? {} : { "cf-connecting-ip": ip }), ...extra }));

  it("reads CF-Connecting-IP only", () => {
    expect(from("198.51.100.7", { "x-forwarded-for": "10.0.0.1" })).toBe("198.51.100.7");
    expect(from(null, { "x-forwarded-for": "10.0.0.1", "x-real-ip": "10.0.0.2" })).toBe("unknown");
  });

  it("canonicalises IPv4 and maps IPv6 to its /64", () => {
    expect(from("198.051.100.007")).toBe("198.51.100.7");
    expect(from("2001:DB8:0:0:1::1")).toBe("2001:db8:0:0::/64");
    expect(from("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(from("::1")).toBe("0:0:0:0::/64");
    expect(from("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(from("::ffff:203.0.113.9")).toBe("203.0.113.9");
    expect(from("::ffff:cb00:7109")).toBe("203.0.113.9");
  });

  it("answers unknown for anything that is not an address", () => {
    for (const junk of [
      "",
      "256.1.1.1",
      "1.2.3",
      "2001:db8::1::2",
      "1:2:3:4:5:6:7:8:9",
      "g::1",
      "x",
      "1.2.3.4, 5.6.7.8",
    ]) {
      expect(from(junk), junk).toBe("unknown");
    }
  });
});

describe("normaliseIdentifier", () => {
  it("folds case, surrounding spaces and compatibility forms", () => {
    expect(normaliseIdentifier("  Alice@Example.COM\t")).toBe("alice@example.com");
    expect(normaliseIdentifier("ａｌｉｃｅ")).toBe("alice");
  });
});
