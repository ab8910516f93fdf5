import { createExecutionContext, env, SELF } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { buildApp } from "../../src/app";
import { createHarness, jsonRequest } from "../helpers/accounts";

const problemOf = async (response: Response) => {
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  return (await response.json()) as {
    type: string;
    title: string;
    status: number;
    code: string;
    requestId: string;
  };
};

describe("health", () => {
  it("GET /healthz answers ok", async () => {
    const response = await SELF.fetch("https://auth.test/healthz");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("GET /readyz checks D1", async () => {
    const response = await SELF.fetch("https://auth.test/readyz");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", database: "d1" });
  });
});

describe("bad input never produces a 500", () => {
  it("unknown route → 404 problem+json without echoing the path", async () => {
    const response = await SELF.fetch("https://auth.test/no/such/inv_secret-code");
    const problem = await problemOf(response);
    expect(response.status).toBe(404);
    expect(problem.code).toBe("ROUTE_NOT_FOUND");
    expect(JSON.stringify(problem)).not.toContain("secret-code");
  });

  it("malformed JSON → 400", async () => {
    const response = await SELF.fetch("https://auth.test/healthz", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"a":',
    });
    expect(response.status).toBe(400);
    expect((await problemOf(response)).code).toBe("MALFORMED_JSON");
  });

  it("a 2 MB body → 413, with and without Content-Length", async () => {
    const big = "x".repeat(2 * 1024 * 1024);
    const withLength = await SELF.fetch("https://auth.test/healthz", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ big }),
    });
    expect(withLength.status).toBe(413);
    expect((await problemOf(withLength)).code).toBe("PAYLOAD_TOO_LARGE");

    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 32; i++) controller.enqueue(new TextEncoder().encode(big.slice(0, 65_536)));
        controller.close();
      },
    });
    const chunked = await SELF.fetch("https://auth.test/healthz", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: stream,
    });
    expect(chunked.status).toBe(413);
  });

  it("a non-JSON content type → 415", async () => {
    for (const contentType of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
    ]) {
      const response = await SELF.fetch("https://auth.test/healthz", {
        method: "POST",
        headers: { "content-type": contentType },
        body: "a=b",
      });
      expect(response.status).toBe(415);
      expect((await problemOf(response)).code).toBe("UNSUPPORTED_MEDIA_TYPE");
    }
  });

  it("a body without any content type → 415", async () => {
    const response = await SELF.fetch("https://auth.test/healthz", {
      method: "POST",
      body: new Uint8Array([1, 2, 3]),
    });
    expect(response.status).toBe(415);
  });
});

describe("request and trace ids", () => {
  it("echoes a sane X-Request-Id, but problem bodies carry the service's own request id", async () => {
    const response = await SELF.fetch("https://auth.test/nope", {
      headers: { "x-request-id": "client-123" },
    });
    expect(response.headers.get("x-request-id")).toBe("client-123");
    expect((await problemOf(response)).requestId).toMatch(/^req_[0-9a-f]{24}$/);
  });

  it("a client's X-Request-Id never becomes the request id of audit rows or logs", async () => {
    const logs = vi.spyOn(console, "log").mockImplementation(() => {});
    const forged = "req_0123456789abcdef01234567";
    const harness = createHarness({ LOG_LEVEL: "info" });
    const response = await harness.send(
      "/auth/login",
      jsonRequest({ identifier: "nobody.at.all", password: "not the password" }, { "x-request-id": forged }),
    );
    expect(response.status).toBe(401);
    expect(response.headers.get("x-request-id")).toBe(forged);
    const ownId = (await problemOf(response)).requestId;
    expect(ownId).not.toBe(forged);

    const row = await env.DB.prepare(
      "SELECT request_id, client_request_id FROM audit_logs WHERE request_id = ?",
    )
      .bind(ownId)
      .first();
    expect(row).toEqual({ request_id: ownId, client_request_id: forged });
    const lines = logs.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);
    logs.mockRestore();
    const access = lines.find((line) => line.msg === "request" && line.requestId === ownId);
    expect(access).toMatchObject({ requestId: ownId, clientRequestId: forged });
  });

  it("replaces an overlong or unprintable X-Request-Id", async () => {
    for (const bad of ["a".repeat(129), "has space", "tab\there"]) {
      const response = await SELF.fetch("https://auth.test/healthz", { headers: { "x-request-id": bad } });
      expect(response.headers.get("x-request-id")).toMatch(/^req_[0-9a-f]{24}$/);
    }
  });

  it("takes the trace id from traceparent, then X-Trace-Id", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const fromParent = await SELF.fetch("https://auth.test/healthz", {
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, "x-trace-id": "ignored" },
    });
    expect(fromParent.headers.get("x-trace-id")).toBe(traceId);
    const fromHeader = await SELF.fetch("https://auth.test/healthz", {
      headers: { "x-trace-id": "trace-abc" },
    });
    expect(fromHeader.headers.get("x-trace-id")).toBe("trace-abc");
    const generated = await SELF.fetch("https://auth.test/healthz", { headers: { traceparent: "garbage" } });
    expect(generated.headers.get("x-trace-id")).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe("keys", () => {
  it("serves the current and previous public keys with cache headers", async () => {
    const response = await SELF.fetch("https://auth.test/.well-known/jwks.json");
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toContain("max-age=");
    const { keys } = (await response.json()) as { keys: Array<Record<string, string>> };
    expect(keys).toHaveLength(2);
    for (const key of keys) {
      expect(key).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig" });
      expect(key.d).toBeUndefined();
      expect(key.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
  });
});

describe("readiness on PostgreSQL through Hyperdrive", () => {
  it("GET /readyz pings PostgreSQL when DATABASE=hyperdrive", async () => {
    const response = await buildApp().request(
      "/readyz",
      {},
      { ...env, DATABASE: "hyperdrive" },
      createExecutionContext(),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", database: "hyperdrive" });
  });

  it("answers 503 problem+json when the database is unreachable", async () => {
    const unreachable = { connectionString: "postgres://postgres:postgres@127.0.0.1:1/none" } as Hyperdrive;
    const response = await buildApp().request(
      "/readyz",
      {},
      { ...env, DATABASE: "hyperdrive", HYPERDRIVE: unreachable },
      createExecutionContext(),
    );
    expect(response.status).toBe(503);
    expect(((await response.json()) as { code: string }).code).toBe("DEPENDENCY_UNAVAILABLE");
  });
});
