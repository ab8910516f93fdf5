import { describe, expect, it } from "vitest";
import { viaSelf } from "../../helpers/accounts";

interface Operation {
  operationId: string;
  tags: string[];
  security?: unknown[];
  responses: Record<string, { content?: Record<string, unknown> }>;
}

const OPERATIONS: Array<[string, string, string, string[]]> = [
  ["get", "/api/api-tokens/", "API tokens", ["200", "400", "401", "403", "429"]],
  ["get", "/api-tokens", "API tokens", ["200", "400", "401", "403", "429"]],
  ["post", "/api/api-tokens/", "API tokens", ["201", "400", "401", "403", "413", "415", "429"]],
  ["post", "/api-tokens", "API tokens", ["201", "400", "401", "403", "413", "415", "429"]],
  ["delete", "/api/api-tokens/{id}/", "API tokens", ["204", "400", "401", "403", "404", "429"]],
  ["post", "/api/api-tokens/leaked", "API tokens", ["202", "400", "413", "415", "429"]],
  ["get", "/api/users", "Users", ["200", "400", "401", "403", "429"]],
  ["put", "/api/users/{id}/role", "Users", ["200", "400", "401", "403", "404", "409", "413", "415", "429"]],
];

describe("OpenAPI document of API tokens and users", () => {
  it("documents both credentials as security schemes, and each route with its tag and problems", async () => {
    const doc = (await (await viaSelf("/openapi.json")).json()) as {
      paths: Record<string, Record<string, Operation>>;
      components: { securitySchemes: Record<string, Record<string, string>> };
    };
    expect(doc.components.securitySchemes).toMatchObject({
      bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
      apiToken: { type: "http", scheme: "bearer", bearerFormat: "eat_…" },
    });
    for (const [method, path, tag, statuses] of OPERATIONS) {
      const operation = doc.paths[path]?.[method];
      expect(operation, `${method} ${path}`).toBeDefined();
      expect(operation!.tags).toEqual([tag]);
      expect(Object.keys(operation!.responses).sort()).toEqual([...statuses].sort());
      for (const status of statuses.filter((code) => Number(code) >= 400)) {
        expect(Object.keys(operation!.responses[status]!.content ?? {})).toEqual([
          "application/problem+json",
        ]);
      }
    }
    // Minting and revoking are closed to API tokens, and the document says so.
    expect(doc.paths["/api/api-tokens/"]?.post?.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths["/api/api-tokens/"]?.get?.security).toEqual([{ bearerAuth: [] }, { apiToken: [] }]);
    expect(doc.paths["/api/api-tokens/leaked"]?.post?.security).toEqual([]);
  });
});
