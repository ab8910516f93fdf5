import { SELF } from "cloudflare:test";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { jsonRequest, loginAsAdmin, register, type TokenPairBody, viaSelf } from "../../helpers/accounts";
import {
  canariesIn,
  canary,
  type FuzzTarget,
  fuzzTargets,
  type OpenApiDocument,
  objectFor,
  valueFor,
} from "../../helpers/openapi-fuzz";

/**
 * Property-based fuzz of every route in /openapi.json through the real Worker (SELF.fetch, inside
 * workerd, real D1, Durable Objects and Queues): bodies generated from each operation's schema,
 * mostly valid, with mutations (a field dropped, a wrong type, hostile strings, extra keys such as
 * __proto__, broken JSON, wrong content types, oversized bodies), with and without credentials.
 * Whatever comes in: never a 5xx, never a stack trace, never a submitted secret echoed, every
 * error as problem+json. A failure prints fast-check's seed and the shrunk request (replay with
 * `{ seed, path }` in the assert options).
 */
// About 25 s here; 12,000 runs took 85 s and found nothing more.
const RUNS = 3000;

interface FuzzRequest {
  target: FuzzTarget;
  url: string;
  init: RequestInit;
  /** Strings the response must not contain: canaries in the body and the credential sent. */
  secrets: string[];
  label: string;
}

const STACK_TRACE =
  /\n\s+at [^\n]*:\d+:\d+|\bat (?:async )?[\w$.<>]+ \([^)]*:\d+:\d+\)|node_modules|src\/[\w/-]+\.ts/;

let doc: OpenApiDocument;
let user: TokenPairBody;
let admin: TokenPairBody;

beforeAll(async () => {
  doc = (await (await viaSelf("/openapi.json")).json()) as OpenApiDocument;
  user = (await register(viaSelf)).tokens;
  admin = await loginAsAdmin(viaSelf);
});

/** What goes in `Authorization`: nothing, garbage, a token of the wrong kind, or a real one. */
function credential(secured: boolean): fc.Arbitrary<string | undefined> {
  const options: fc.Arbitrary<string | undefined>[] = [
    fc.constant(undefined),
    canary.map((value) => `Bearer ${value}`),
    fc.constantFrom(
      "Bearer",
      "Basic YWRtaW46YWRtaW4=",
      "Bearer  ",
      "bearer x.y.z",
      `Bearer ${"A".repeat(9000)}`,
    ),
    fc.constant(`Bearer ${user.refreshToken}`),
  ];
  if (secured)
    options.push(fc.constant(`Bearer ${user.accessToken}`), fc.constant(`Bearer ${admin.accessToken}`));
  return fc.oneof(...options);
}

/** The raw body: JSON of a generated value, or something a JSON parser should refuse. */
function bodyFor(target: FuzzTarget): fc.Arbitrary<{ text?: string; value?: unknown }> {
  const generated = target.bodySchema ? objectFor(target.bodySchema, doc) : valueFor({}, doc);
  return fc.oneof(
    { weight: 12, arbitrary: generated.map((value) => ({ text: JSON.stringify(value), value })) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(
          "",
          "{",
          "[]",
          "null",
          '"a string"',
          '{"__proto__":{"role":"root"},"constructor":{"prototype":{"admin":true}}}',
          `{"a":${"[".repeat(5000)}${"]".repeat(5000)}}`,
          "\u0000\u0001",
        )
        .map((text) => ({ text })),
    },
    { weight: 1, arbitrary: fc.constant({ text: JSON.stringify({ padding: "x".repeat(70_000) }) }) },
  );
}

function requestFor(target: FuzzTarget): fc.Arbitrary<FuzzRequest> {
  const pathValues = fc.tuple(...target.pathParams.map(() => fc.oneof(fc.string({ maxLength: 40 }), canary)));
  const queryValues = fc.tuple(
    ...target.query.map((parameter) =>
      fc.option(valueFor(parameter.schema, doc, parameter.name), { freq: parameter.required ? 10 : 2 }),
    ),
  );
  const contentType = fc.constantFrom(
    "application/json",
    "application/json",
    "application/json; charset=utf-8",
    "text/plain",
    "application/x-www-form-urlencoded",
    undefined,
  );
  const hasBody = target.bodySchema !== undefined || target.method !== "GET";
  return fc
    .record({
      pathValues,
      queryValues,
      auth: credential(target.secured),
      body: hasBody ? bodyFor(target) : fc.constant<{ text?: string; value?: unknown }>({}),
      contentType,
      requestId: fc.option(fc.oneof(fc.string({ maxLength: 140 }), canary), { freq: 3 }),
    })
    .map(({ pathValues: params, queryValues: query, auth, body, contentType: type, requestId }) => {
      let path = target.path;
      target.pathParams.forEach((name, index) => {
        path = path.replace(`{${name}}`, encodeURIComponent(String(params[index])));
      });
      const search = new URLSearchParams();
      target.query.forEach((parameter, index) => {
        const value = query[index];
        if (value !== null && value !== undefined)
          search.set(parameter.name, typeof value === "string" ? value : JSON.stringify(value));
      });
      const headers: Record<string, string> = {};
      if (auth) headers.authorization = auth;
      if (type && body.text !== undefined) headers["content-type"] = type;
      if (typeof requestId === "string") headers["x-request-id"] = requestId;
      const secrets = [
        ...canariesIn(body.value),
        ...params.filter((value): value is string => typeof value === "string" && value.startsWith("cnry_")),
        ...canariesIn([...search.values()]),
        ...(auth?.startsWith("Bearer ") && auth.length > 20 ? [auth.slice(7)] : []),
      ];
      const url = `https://auth.test${path}${search.size ? `?${search}` : ""}`;
      return {
        target,
        url,
        init: { method: target.method, headers, body: target.method === "GET" ? undefined : body.text },
        secrets,
        label: `${target.method} ${url} ${JSON.stringify(headers).slice(0, 200)} ${String(body.text).slice(0, 300)}`,
      };
    });
}

describe("fuzz: every route of /openapi.json through the Worker", () => {
  it(`${RUNS} generated requests: no 5xx, no stack trace, no echoed secret, problems as problem+json`, async () => {
    const targets = fuzzTargets(doc);
    expect(targets.length).toBeGreaterThanOrEqual(15);
    const seen = new Map<string, Set<number>>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...targets).chain((target) => requestFor(target)),
        async (request) => {
          const response = await SELF.fetch(request.url, request.init);
          const text = await response.text();
          const key = `${request.target.method} ${request.target.path}`;
          seen.set(key, (seen.get(key) ?? new Set()).add(response.status));
          expect(response.status, request.label).toBeLessThan(500);
          expect(text, request.label).not.toMatch(STACK_TRACE);
          for (const secret of request.secrets)
            expect(text.includes(secret), `${request.label} echoed a secret`).toBe(false);
          if (response.status >= 400) {
            expect(response.headers.get("content-type"), request.label).toBe("application/problem+json");
            const problem = JSON.parse(text) as { status: number; code: string; requestId: string };
            expect(problem.status).toBe(response.status);
            expect(problem.requestId).toMatch(/^req_[0-9a-f]{24}$/);
          }
        },
      ),
      { numRuns: RUNS, endOnFailure: true },
    );
    // Every operation was reached, and the generator got past validation somewhere.
    expect([...seen.keys()].sort()).toEqual(
      targets.map((target) => `${target.method} ${target.path}`).sort(),
    );
    const statuses = new Set([...seen.values()].flatMap((set) => [...set]));
    for (const status of [200, 201, 202, 400, 401, 403, 413, 415]) expect(statuses).toContain(status);
  }, 180_000);

  it("a real session still works after the run (nothing the fuzzer sent broke the service)", async () => {
    const response = await viaSelf("/auth/me", { headers: { authorization: `Bearer ${admin.accessToken}` } });
    expect(response.status).toBe(200);
    const health = await SELF.fetch("https://auth.test/readyz");
    expect(health.status).toBe(200);
    expect(
      (await viaSelf("/auth/login", jsonRequest({ identifier: "admin", password: "admin" }))).status,
    ).toBe(200);
  });
});
