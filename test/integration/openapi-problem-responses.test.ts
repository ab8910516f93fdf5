import { describe, expect, it } from "vitest";
import { bearer, createHarness, expectProblem, jsonRequest, viaSelf } from "../helpers/accounts";
import { createApiToken, rootUser } from "../helpers/api-tokens";

interface Response429Or401 {
  headers?: Record<string, { schema?: { type?: string } }>;
}

interface Operation {
  operationId: string;
  security?: Array<Record<string, unknown>>;
  responses: Record<string, Response429Or401>;
}

async function operations(): Promise<Array<[string, Operation]>> {
  const doc = (await (await viaSelf("/openapi.json")).json()) as {
    paths: Record<string, Record<string, Operation>>;
  };
  return Object.entries(doc.paths).flatMap(([path, byMethod]) =>
    Object.entries(byMethod).map(([method, operation]): [string, Operation] => [
      `${method.toUpperCase()} ${path}`,
      operation,
    ]),
  );
}

describe("the OpenAPI document's problem responses match what the Worker answers (SPEC, cross-cutting rules)", () => {
  it("declares 429 on every operation behind authenticate(): it spends a presented API token's budget first", async () => {
    const missing = (await operations())
      .filter(([, operation]) =>
        operation.security?.some((scheme) => "apiToken" in scheme || "bearerAuth" in scheme),
      )
      .filter(([, operation]) => !operation.responses["429"])
      .map(([name]) => name);
    expect(missing).toEqual([]);
  });

  it("declares Retry-After on every 429 and WWW-Authenticate on every 401", async () => {
    const all = await operations();
    const with429 = all.filter(([, operation]) => operation.responses["429"]);
    const with401 = all.filter(([, operation]) => operation.responses["401"]);
    expect(with429.length).toBeGreaterThan(20);
    expect(with401.length).toBeGreaterThan(20);
    for (const [name, operation] of with429) {
      expect(operation.responses["429"]!.headers?.["Retry-After"]?.schema?.type, name).toBe("integer");
    }
    for (const [name, operation] of with401) {
      expect(operation.responses["401"]!.headers?.["WWW-Authenticate"]?.schema?.type, name).toBe("string");
    }
  });

  it("answers 429 with Retry-After on the invite list once an API token's budget is spent", async () => {
    const harness = createHarness({ RATE_LIMIT_API_TOKEN: "1/60s" });
    const root = await rootUser(harness.send);
    const { token } = await createApiToken(harness.send, root.accessToken, { scope: "read" });
    expect((await harness.send("/api/tokens/", { headers: bearer(token) })).status).toBe(200);
    const limited = await harness.send("/api/tokens/", { headers: bearer(token) });
    await expectProblem(limited, 429, "RATE_LIMITED");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("answers 429 to an API token whose budget is spent even where API tokens are refused (403)", async () => {
    const harness = createHarness({ RATE_LIMIT_API_TOKEN: "1/60s" });
    const root = await rootUser(harness.send);
    const { token } = await createApiToken(harness.send, root.accessToken, { scope: "write" });
    const setup = () => harness.send("/auth/2fa/setup", { method: "POST", headers: bearer(token) });
    await expectProblem(await setup(), 403, "FORBIDDEN");
    await expectProblem(await setup(), 429, "RATE_LIMITED");
  });

  it("declares and answers 503 on tenant login and mfa/verify: their login_ip policy fails closed", async () => {
    const broken = {
      getByName: () => ({ check: () => Promise.reject(new Error("limiter down")) }),
    } as unknown as Env["RATE_LIMITER"];
    const harness = createHarness({
      RATE_LIMITER: broken as unknown as string,
      RATE_LIMIT_LOGIN_IP: "30/60s",
    });
    const attempts = [
      harness.send(
        "/tenants/default/login",
        jsonRequest({ email: "a@example.com", password: "whatever it is" }),
      ),
      harness.send(
        "/tenants/default/mfa/verify",
        jsonRequest({ session_id: "tss_unknown", code: "123456", method: "totp" }),
      ),
    ];
    for (const response of await Promise.all(attempts)) {
      await expectProblem(response, 503, "DEPENDENCY_UNAVAILABLE");
      expect(response.headers.get("retry-after")).toBe("10");
    }
    const byName = new Map(await operations());
    for (const name of ["POST /tenants/{tenant_slug}/login", "POST /tenants/{tenant_slug}/mfa/verify"]) {
      expect(byName.get(name)?.responses["503"], name).toBeDefined();
    }
  });

  it("answers 401 with WWW-Authenticate on a protected route without a credential", async () => {
    const response = await viaSelf("/api/tokens/");
    await expectProblem(response, 401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer /);
  });
});
