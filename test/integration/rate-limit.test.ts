import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { createRoute, z } from "@hono/zod-openapi";
import { describe, expect, it, vi } from "vitest";
import { httpMetrics } from "../../src/features/metrics/http-metrics";
import { registerMetrics } from "../../src/features/metrics/routes/metrics";
import { rateLimit } from "../../src/features/rate-limit/middleware";
import { notFound, onError } from "../../src/http/error-handler";
import { jsonBody } from "../../src/http/json-body";
import { createApp, problemResponses } from "../../src/http/openapi";
import { requestContext } from "../../src/http/request-context";
import { ManualClock } from "../../src/platform/clock";
import { AppError } from "../../src/platform/errors";
import { cryptoRandom } from "../../src/platform/random";
import { parseExposition, total } from "../helpers/prometheus";

// Stand-ins that declare their policies exactly as the real routes do (one line each), so only the
// rate limiting is under test: register answers 200, login refuses every credential with 401 (its
// identifier policy counts only refused credentials). The real routes' limits are tested in
// test/integration/accounts/rate-limits.test.ts.
const loginRoute = createRoute({
  method: "post",
  path: "/auth/login",
  middleware: [rateLimit("login_ip"), rateLimit("login_identifier")] as const,
  request: { body: { content: { "application/json": { schema: z.object({ identifier: z.string() }) } } } },
  responses: { 200: { description: "ok" }, ...problemResponses(400, 401, 429) },
});

function testApp(clock: ManualClock) {
  const app = createApp();
  app.onError(onError);
  app.notFound(notFound);
  app.use("*", requestContext({ clock, random: cryptoRandom }));
  app.use("*", httpMetrics());
  app.use(
    "*",
    jsonBody(() => 65_536),
  );
  app.openapi(loginRoute, () => {
    throw new AppError("INVALID_CREDENTIALS");
  });
  app.post("/auth/register", rateLimit("register_ip"), (c) => c.json({ ok: true }, 200));
  registerMetrics(app);
  return app;
}

const limits = {
  ...env,
  METRICS_FLUSH_DELAY_MS: "0",
  RATE_LIMIT_LOGIN_IP: "10/60s",
  RATE_LIMIT_LOGIN_IDENTIFIER: "3/60s",
  RATE_LIMIT_REGISTER_IP: "5/60s",
};

function client(vars: Env = limits, clock = new ManualClock(Date.UTC(2026, 5, 1))) {
  const app = testApp(clock);
  const send = async (path: string, headers: Record<string, string>, body?: unknown) => {
    const ctx = createExecutionContext();
    const response = await app.fetch(
      new Request(`https://auth.test${path}`, {
        method: path === "/metrics" ? "GET" : "POST",
        headers: { "content-type": "application/json", ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
      vars,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return response;
  };
  return {
    clock,
    register: (ip: string, headers: Record<string, string> = {}) =>
      send("/auth/register", { "cf-connecting-ip": ip, ...headers }, {}),
    login: (ip: string, identifier: unknown) =>
      send("/auth/login", { "cf-connecting-ip": ip }, { identifier }),
    scrape: async () => parseExposition(await (await send("/metrics", {})).text()),
  };
}

/** A RATE_LIMITER binding whose every call fails, as when the Durable Object cannot be reached. */
const brokenLimiter = {
  getByName: () => ({ check: () => Promise.reject(new Error("limiter down")) }),
} as unknown as Env["RATE_LIMITER"];

describe("rateLimit(policy)", () => {
  it("allows exactly the limit, then 429 problem+json with Retry-After and RateLimit headers", async () => {
    const api = client();
    for (let i = 1; i <= 5; i++) {
      const response = await api.register("198.51.100.1");
      expect(response.status).toBe(200);
      expect(response.headers.get("ratelimit-policy")).toBe('"register_ip";q=5;w=60');
      expect(response.headers.get("ratelimit")).toBe(`"register_ip";r=${5 - i};t=${12 * i}`);
    }
    const refused = await api.register("198.51.100.1");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(refused.headers.get("retry-after")).toBe("12");
    expect(refused.headers.get("ratelimit-policy")).toBe('"register_ip";q=5;w=60');
    expect(refused.headers.get("ratelimit")).toBe('"register_ip";r=0;t=60');
    const problem = (await refused.json()) as { code: string; status: number; detail: string };
    expect(problem).toMatchObject({ code: "RATE_LIMITED", status: 429 });
    expect(problem.detail).toContain("12 s");
  });

  it("gives budget back evenly (GCRA): one request per period/limit, never a window-edge burst", async () => {
    const api = client();
    for (let i = 0; i < 5; i++) expect((await api.register("198.51.100.2")).status).toBe(200);
    expect((await api.register("198.51.100.2")).status).toBe(429);
    api.clock.advance(11_999);
    const early = await api.register("198.51.100.2");
    expect(early.status).toBe(429);
    expect(early.headers.get("retry-after")).toBe("1");
    api.clock.advance(1);
    expect((await api.register("198.51.100.2")).status).toBe(200);
    expect((await api.register("198.51.100.2")).status).toBe(429);
    api.clock.advance(60_000);
    for (let i = 0; i < 5; i++) expect((await api.register("198.51.100.2")).status).toBe(200);
    expect((await api.register("198.51.100.2")).status).toBe(429);
  });

  it("keys on CF-Connecting-IP: other IPs keep their budget, X-Forwarded-For changes nothing", async () => {
    const api = client();
    for (let i = 0; i < 5; i++) {
      const response = await api.register("203.0.113.7", { "x-forwarded-for": `10.0.0.${i}` });
      expect(response.status).toBe(200);
    }
    expect((await api.register("203.0.113.7", { "x-forwarded-for": "10.9.9.9" })).status).toBe(429);
    expect((await api.register("203.0.113.7", { "x-forwarded-for": "203.0.113.8" })).status).toBe(429);
    expect((await api.register("203.0.113.8")).status).toBe(200);
  });

  it("limits IPv6 clients per /64 and treats IPv4-mapped addresses as IPv4", async () => {
    const api = client();
    for (let i = 1; i <= 5; i++) expect((await api.register(`2001:db8:aa:1::${i}`)).status).toBe(200);
    expect((await api.register("2001:0db8:00aa:0001:ffff:1:2:3")).status).toBe(429);
    expect((await api.register("2001:db8:aa:2::1")).status).toBe(200);

    for (let i = 0; i < 5; i++) expect((await api.register("192.0.2.44")).status).toBe(200);
    expect((await api.register("::ffff:192.0.2.44")).status).toBe(429);
  });

  it("without CF-Connecting-IP every request shares one bucket (X-Forwarded-For is no way out)", async () => {
    const api = client();
    for (let i = 0; i < 5; i++) {
      expect((await api.register("", { "x-forwarded-for": `198.18.0.${i}` })).status).toBe(200);
    }
    expect((await api.register("", { "x-forwarded-for": "198.18.1.1" })).status).toBe(429);
  });

  it("normalises identifiers: case, spaces and Unicode forms share one budget across IPs", async () => {
    const api = client();
    const spellings = ["alice@example.com", "  ALICE@Example.com ", "ａｌｉｃｅ@example.com"];
    for (const [i, identifier] of spellings.entries()) {
      const response = await api.login(`198.51.100.${20 + i}`, identifier);
      expect(response.status).toBe(401);
      expect(response.headers.get("ratelimit-policy")).toBe(
        '"login_identifier";q=3;w=60, "login_ip";q=10;w=60',
      );
    }
    const refused = await api.login("198.51.100.30", "Alice@EXAMPLE.com");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("ratelimit")).toMatch(/^"login_identifier";r=0;t=60, "login_ip";r=9;t=6$/);
    expect((await api.login("198.51.100.30", "bob@example.com")).status).toBe(401);
  });

  it("a body without the identifier is counted by the IP policy only (and fails validation)", async () => {
    const api = client();
    const response = await api.login("198.51.100.40", 42);
    expect(response.status).toBe(400);
    expect(response.headers.get("ratelimit-policy")).toBe('"login_ip";q=10;w=60');
  });

  it("fifty racing requests from one IP get exactly the limit; each refusal is counted once", async () => {
    const api = client();
    const labels = { route: "/auth/login", policy: "login_ip" };
    const before = total(await api.scrape(), "tokens_rate_limited_total", labels);
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => api.login("198.51.100.99", `racer${i}@example.com`)),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(10);
    expect(statuses.filter((status) => status === 429)).toHaveLength(40);
    const after = total(await api.scrape(), "tokens_rate_limited_total", labels);
    expect(after - before).toBe(40);
  });

  it("a policy set to off limits nothing and sends no headers", async () => {
    const api = client({ ...limits, RATE_LIMIT_REGISTER_IP: "off" });
    for (let i = 0; i < 20; i++) {
      const response = await api.register("198.51.100.50");
      expect(response.status).toBe(200);
      expect(response.headers.get("ratelimit")).toBeNull();
    }
  });

  it("lets requests through when the limiter cannot be reached, and counts it", async () => {
    const logs = vi.spyOn(console, "log").mockImplementation(() => {});
    const api = client({ ...limits, RATE_LIMITER: brokenLimiter });
    const errors = (samples: Awaited<ReturnType<typeof api.scrape>>) =>
      total(samples, "tokens_rate_limiter_errors_total", { policy: "register_ip", outcome: "allowed" });
    const before = errors(await api.scrape());
    for (let i = 0; i < 3; i++) expect((await api.register("198.51.100.60")).status).toBe(200);
    expect(errors(await api.scrape()) - before).toBe(3);
    const logged = logs.mock.calls.map(([line]) => String(line));
    expect(
      logged.filter((line) => line.includes('"msg":"rate limiter unavailable; request let through"')),
    ).toHaveLength(3);
    logs.mockRestore();
  });

  it("fails closed on credential routes: 503 problem with Retry-After, counted as refused", async () => {
    const logs = vi.spyOn(console, "log").mockImplementation(() => {});
    const api = client({ ...limits, RATE_LIMITER: brokenLimiter });
    const refused = (samples: Awaited<ReturnType<typeof api.scrape>>) =>
      total(samples, "tokens_rate_limiter_errors_total", { policy: "login_ip", outcome: "refused" });
    const before = refused(await api.scrape());
    for (let i = 0; i < 2; i++) {
      const response = await api.login("198.51.100.61", "carol@example.com");
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("10");
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(await response.json()).toMatchObject({ code: "DEPENDENCY_UNAVAILABLE", status: 503 });
    }
    expect(refused(await api.scrape()) - before).toBe(2);
    const logged = logs.mock.calls.map(([line]) => String(line));
    expect(logged.filter((line) => line.includes("credential request refused"))).toHaveLength(2);
    logs.mockRestore();
  });

  it("does not limit routes without a policy (/healthz)", async () => {
    for (let i = 0; i < 40; i++) {
      const response = await SELF.fetch("https://auth.test/healthz", {
        headers: { "cf-connecting-ip": "198.51.100.70" },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get("ratelimit")).toBeNull();
    }
  });
});
