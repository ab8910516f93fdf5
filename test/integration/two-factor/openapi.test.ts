import { describe, expect, it } from "vitest";
import { viaSelf } from "../../helpers/accounts";

interface Operation {
  operationId: string;
  tags: string[];
  security?: unknown[];
  requestBody?: { required?: boolean };
  responses: Record<string, { content?: Record<string, unknown> }>;
}

const OPERATIONS: Array<[string, string, string[]]> = [
  ["get", "/auth/2fa", ["200", "401", "403", "429"]],
  ["post", "/auth/2fa/setup", ["200", "401", "403", "409", "429"]],
  ["post", "/auth/2fa/enable", ["200", "400", "401", "403", "409", "413", "415", "429"]],
  ["post", "/auth/2fa/disable", ["204", "400", "401", "403", "409", "413", "415", "429"]],
  ["post", "/auth/2fa/recovery-codes", ["200", "400", "401", "403", "409", "413", "415", "429"]],
  ["post", "/tokens/gerar-codigo/", ["202", "400", "401", "403", "404", "409", "413", "415", "429"]],
  ["post", "/tokens/validar-codigo/", ["200", "400", "401", "403", "404", "409", "410", "413", "415", "429"]],
];

describe("OpenAPI document of the two-factor routes", () => {
  it("documents every route with its tag, the credentials its permission takes and problem responses", async () => {
    const doc = (await (await viaSelf("/openapi.json")).json()) as {
      paths: Record<string, Record<string, Operation>>;
      tags: Array<{ name: string; description: string }>;
    };
    expect(doc.tags.find((tag) => tag.name === "Two-factor")?.description).toMatch(/ativar-2fa/);
    for (const [method, path, statuses] of OPERATIONS) {
      const operation = doc.paths[path]?.[method];
      expect(operation, `${method} ${path}`).toBeDefined();
      expect(operation!.tags).toEqual(["Two-factor"]);
      // Managing the second factor is for a signed-in person only; reading it and the temporary
      // codes also take an API token (the permission matrix checks each against the catalogue).
      const accessTokenOnly = path.startsWith("/auth/2fa/");
      expect(operation!.security).toEqual(
        accessTokenOnly ? [{ bearerAuth: [] }] : [{ bearerAuth: [] }, { apiToken: [] }],
      );
      expect(Object.keys(operation!.responses).sort()).toEqual([...statuses].sort());
      for (const status of statuses.filter((code) => Number(code) >= 400)) {
        expect(Object.keys(operation!.responses[status]!.content ?? {}), `${path} ${status}`).toEqual([
          "application/problem+json",
        ]);
      }
    }
    expect(doc.paths["/tokens/gerar-codigo/"]?.post?.requestBody?.required).toBe(false);
    // The HTML page is not an API operation.
    expect(doc.paths["/tokens/ativar-2fa/"]).toBeUndefined();
  });

  it("documents the login's two-factor problem codes", async () => {
    const doc = (await (await viaSelf("/openapi.json")).json()) as {
      components: { schemas: { Problem: { properties: { code: { enum: string[] } } } } };
    };
    expect(doc.components.schemas.Problem.properties.code.enum).toEqual(
      expect.arrayContaining(["TWO_FACTOR_REQUIRED", "INVALID_TWO_FACTOR_CODE", "CODE_REJECTED"]),
    );
  });
});
