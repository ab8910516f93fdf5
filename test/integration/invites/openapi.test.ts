import { describe, expect, it } from "vitest";
import { viaSelf } from "../../helpers/accounts";

interface Operation {
  operationId: string;
  tags: string[];
  description?: string;
  security?: unknown[];
  requestBody?: unknown;
  responses: Record<string, { content?: Record<string, unknown> }>;
}

interface Schema {
  properties?: Record<string, { description?: string; enum?: string[] }>;
}

// Every protected route here takes an access token or an API token (its permission allows both).
const SECURED = [{ bearerAuth: [] }, { apiToken: [] }];
/** [method, path under /api/tokens, statuses, public?] for both path families. */
const INVITE_OPERATIONS: Array<[string, string, string[], boolean]> = [
  ["post", "/", ["201", "400", "401", "403", "413", "415", "429", "503"], false],
  ["get", "/", ["200", "400", "401", "403"], false],
  ["get", "/validate/", ["200", "400", "404", "429"], true],
  ["post", "/validate/", ["200", "400", "404", "413", "415", "429"], true],
  ["post", "/{id}/use/", ["200", "400", "401", "403", "404", "409", "410"], false],
  ["post", "/{codigo_or_id}/revogar/", ["200", "400", "401", "403", "404", "409", "410"], false],
  ["get", "/{id}/logs/", ["200", "400", "401", "403", "404"], false],
];
const OTHER_OPERATIONS: Array<[string, string, string, string[]]> = [
  ["get", "/api/audit-logs/", "Audit", ["200", "400", "401", "403"]],
  ["post", "/api/audit-logs/verify/", "Audit", ["200", "400", "401", "403"]],
  ["get", "/api/webhooks/deliveries/", "Webhooks", ["200", "400", "401", "403"]],
  ["post", "/api/webhooks/deliveries/{event_id}/redeliver/", "Webhooks", ["202", "401", "403", "404", "409"]],
];

describe("OpenAPI document of invites, audit and webhooks", () => {
  it("documents every invite route under /api/tokens/ and its alias /api/tokens/tokens/", async () => {
    const doc = (await (await viaSelf("/openapi.json")).json()) as {
      paths: Record<string, Record<string, Operation>>;
    };
    for (const [method, path, statuses, isPublic] of INVITE_OPERATIONS) {
      const main = doc.paths[`/api/tokens${path}`]?.[method];
      const alias = doc.paths[`/api/tokens/tokens${path}`]?.[method];
      expect(main, `${method} /api/tokens${path}`).toBeDefined();
      expect(alias, `${method} /api/tokens/tokens${path}`).toBeDefined();
      expect(alias!.operationId).toBe(`${main!.operationId}Alias`);
      expect(alias!.description).toContain("Alias of the same route");
      for (const operation of [main!, alias!]) {
        expect(operation.tags).toEqual(["Invites"]);
        expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(statuses));
        expect(operation.security).toEqual(isPublic ? [] : SECURED);
        for (const status of statuses.filter((code) => Number(code) >= 400)) {
          expect(Object.keys(operation.responses[status]!.content ?? {})).toEqual([
            "application/problem+json",
          ]);
        }
      }
    }
    for (const [method, path, tag, statuses] of OTHER_OPERATIONS) {
      const operation = doc.paths[path]?.[method];
      expect(operation, `${method} ${path}`).toBeDefined();
      expect(operation!.tags).toEqual([tag]);
      expect(operation!.security).toEqual(SECURED);
      expect(Object.keys(operation!.responses)).toEqual(expect.arrayContaining(statuses));
    }
  });

  it("documents the profile table and the code's single showing", async () => {
    const doc = (await (await viaSelf("/openapi.json")).json()) as {
      components: {
        schemas: Record<string, Schema & { allOf?: Schema[] }>;
      };
    };
    const request = doc.components.schemas.CreateInviteRequest!.properties!;
    expect(request.tipo_destino!.enum).toEqual(["associado", "colaborador", "gestor", "admin"]);
    expect(request.tipo_destino!.description).toContain("gestor a `gestor`");
    const created = doc.components.schemas.CreatedInvite!.allOf!.find((part) => part.properties?.codigo);
    expect(created!.properties!.codigo!.description).toContain("Shown only in this response");
  });
});
