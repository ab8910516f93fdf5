import SwaggerParser from "@apidevtools/swagger-parser";
import { beforeAll, describe, expect, inject, it } from "vitest";

interface Operation {
  operationId?: string;
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
}
interface OpenApiDocument {
  openapi: string;
  servers: Array<{ url: string }>;
  paths: Record<string, Record<string, Operation>>;
}

const HTTP_METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);
const baseUrl = inject("baseUrl");

function operationsOf(document: OpenApiDocument) {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => HTTP_METHODS.has(method))
      .map(([method, operation]) => ({ route: `${method.toUpperCase()} ${path}`, operation })),
  );
}

describe("GET /openapi.json", () => {
  let text: string;
  let document: OpenApiDocument;

  beforeAll(async () => {
    const response = await fetch(`${baseUrl}/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    text = await response.text();
    document = JSON.parse(text);
  });

  it("is OpenAPI 3.1 and valid under an independent validator", async () => {
    expect(document.openapi).toMatch(/^3\.1\.\d+$/);
    // validate() dereferences in place: it gets its own copy so the other tests still see the $refs.
    await expect(SwaggerParser.validate(JSON.parse(text))).resolves.toBeDefined();
  });

  it("names the origin that served it as the first server, then a relative one", () => {
    expect(document.servers.map((server) => server.url)).toEqual([baseUrl, "/"]);
  });

  it("lists the operations the app registers", () => {
    const ids = operationsOf(document).map(({ operation }) => operation.operationId);
    expect(ids).toEqual(expect.arrayContaining(["healthz", "readyz", "getJwks"]));
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(["/healthz", "/readyz", "/.well-known/jwks.json"]),
    );
  });

  it("gives every operation a unique operationId", () => {
    const ids = operationsOf(document).map(({ route, operation }) => {
      expect(operation.operationId, route).toMatch(/^[a-z][A-Za-z0-9]*$/);
      return operation.operationId;
    });
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("documents every problem response as application/problem+json with the Problem schema", () => {
    const problems = operationsOf(document).flatMap(({ route, operation }) =>
      Object.entries(operation.responses)
        .filter(([status]) => Number(status) >= 400)
        .map(([status, response]) => ({ where: `${route} ${status}`, content: response.content ?? {} })),
    );
    // readyz documents its 503, so an empty list means the document lost its problem responses.
    expect(problems.length).toBeGreaterThan(0);
    for (const { where, content } of problems) {
      expect(Object.keys(content), where).toEqual(["application/problem+json"]);
      expect(content["application/problem+json"]?.schema?.$ref, where).toBe("#/components/schemas/Problem");
    }
  });
});
