import { describe, expect, it } from "vitest";
import { PROFILE_PARTS } from "../../src/platform/profiler";
import { bearer, createHarness, jsonRequest, login, newAccount, register } from "../helpers/accounts";
import { PRODUCTION_PASSWORD_COST } from "../helpers/password-cost";

/** `Server-Timing` as part → { dur, desc }, or undefined when the header is absent. */
function timingOf(response: Response): Map<string, { dur: number; desc?: string }> | undefined {
  const header = response.headers.get("server-timing");
  if (header === null) return undefined;
  return new Map(
    header.split(", ").map((entry) => {
      const [name, ...params] = entry.split(";");
      const values = Object.fromEntries(params.map((param) => param.split("=")));
      return [name!, { dur: Number(values.dur), desc: values.desc?.replaceAll('"', "") }];
    }),
  );
}

describe("profile mode (PROFILE)", () => {
  it("is off by default: no Server-Timing header on any response", async () => {
    const harness = createHarness();
    const account = newAccount();
    await register(harness.send, account);
    const pair = await login(harness.send, account.username, account.password);
    for (const response of [
      await harness.send("/healthz"),
      await harness.send("/auth/me", { headers: bearer(pair.accessToken) }),
      await harness.send("/auth/me"),
    ]) {
      expect(response.headers.get("server-timing")).toBeNull();
    }
  });

  it("breaks each request into its parts: storage, RSA, Argon2id, audit, rate limits, log line", async () => {
    // wrangler.toml's Argon2id cost, not the test project's cheap one: the timer ticks in whole
    // milliseconds, and a cheap hash can measure 0 ms, which the argon2 part's check would refuse.
    const harness = createHarness({
      ...PRODUCTION_PASSWORD_COST,
      PROFILE: "on",
      RATE_LIMIT_LOGIN_IP: "100/60s",
      LOG_LEVEL: "debug",
    });
    const account = newAccount();
    await register(harness.send, account);

    const loginResponse = await harness.send(
      "/auth/login",
      jsonRequest({ identifier: account.username, password: account.password }),
    );
    expect(loginResponse.status).toBe(200);
    const loginParts = timingOf(loginResponse)!;
    for (const part of ["setup", "d1", "rate-limit", "argon2", "rsa-sign", "log", "total"]) {
      expect(loginParts.has(part), part).toBe(true);
    }
    // One password verification; an access and a refresh token signed; the success row is in the
    // session's unit, not a write of its own.
    expect(loginParts.get("argon2")!.desc).toBe("1");
    expect(loginParts.get("rsa-sign")!.desc).toBe("2");
    expect(loginParts.has("audit")).toBe(false);
    expect(loginParts.get("argon2")!.dur).toBeGreaterThan(0);
    expect(loginParts.get("total")!.dur).toBeGreaterThanOrEqual(loginParts.get("argon2")!.dur);
    // Only the known parts, in their order, then the total.
    const names = [...loginParts.keys()];
    expect(names.at(-1)).toBe("total");
    expect(names.slice(0, -1)).toEqual(PROFILE_PARTS.filter((part) => loginParts.has(part)));

    const pair = (await loginResponse.json()) as { accessToken: string; refreshToken: string };
    const refreshed = await harness.send("/auth/refresh", jsonRequest({ refreshToken: pair.refreshToken }));
    expect(refreshed.status).toBe(200);
    const refreshParts = timingOf(refreshed)!;
    // A rotation is one storage round trip (rotation, audit row, user and tenants in one unit).
    expect(refreshParts.get("d1")!.desc).toBe("1");
    expect(refreshParts.get("rsa-verify")!.desc).toBe("1");
    expect(refreshParts.get("rsa-sign")!.desc).toBe("2");
    expect(refreshParts.has("audit")).toBe(false);

    // A refusal writes its audit row on its own.
    const wrong = await harness.send(
      "/auth/login",
      jsonRequest({ identifier: account.username, password: "not the password at all" }),
    );
    expect(wrong.status).toBe(401);
    expect(timingOf(wrong)!.get("audit")!.desc).toBe("1");

    const me = await harness.send("/auth/me", { headers: bearer(pair.accessToken) });
    expect(me.status).toBe(200);
    const meParts = timingOf(me)!;
    expect(meParts.get("rsa-verify")!.desc).toBe("1");
    expect(meParts.has("argon2")).toBe(false);
    expect(meParts.has("rsa-sign")).toBe(false);

    // Refusals are profiled too (the header is written whatever the status).
    const refused = await harness.send("/auth/me");
    expect(refused.status).toBe(401);
    expect(timingOf(refused)?.has("total")).toBe(true);
  });
});
