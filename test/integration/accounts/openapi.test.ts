import { describe, expect, it } from "vitest";
import { viaSelf } from "../../helpers/accounts";

interface Operation {
  operationId: string;
  tags: string[];
  security?: unknown[];
  requestBody?: unknown;
  responses: Record<string, { content?: Record<string, unknown> }>;
}

const OPERATIONS: Array<[string, string, string, string[]]> = [
  ["post", "/auth/register", "Auth", ["201", "400", "409", "413", "415", "429"]],
  ["post", "/auth/login", "Auth", ["200", "400", "401", "413", "415", "429", "503"]],
  ["post", "/auth/refresh", "Auth", ["200", "400", "401", "429"]],
  ["post", "/auth/logout", "Auth", ["204", "400", "401", "429"]],
  ["get", "/auth/me", "Auth", ["200", "401", "403", "429"]],
  ["post", "/auth/password", "Auth", ["200", "400", "401", "403", "413", "415", "429", "503"]],
  ["post", "/auth/introspect", "Auth", ["200", "400", "401", "403", "413", "415", "429"]],
  ["post", "/reset-password/request", "Password reset", ["202", "400", "429", "503"]],
  ["post", "/reset-password/confirm", "Password reset", ["204", "400", "409", "410", "429", "503"]],
  ["post", "/verification-token/request", "Verification", ["202", "400", "429", "503"]],
  ["post", "/verification-token/verify", "Verification", ["200", "400", "409", "410", "429", "503"]],
];

describe("OpenAPI document of the account routes", () => {
  it("documents every route with its tag, body, security and problem responses", async () => {
    const doc = (await (await viaSelf("/openapi.json")).json()) as {
      paths: Record<string, Record<string, Operation>>;
      tags: Array<{ name: string }>;
    };
    expect(doc.tags.map((tag) => tag.name)).toEqual(
      expect.arrayContaining(["Auth", "Password reset", "Verification"]),
    );
    for (const [method, path, tag, statuses] of OPERATIONS) {
      const operation = doc.paths[path]?.[method];
      expect(operation, `${method} ${path}`).toBeDefined();
      expect(operation!.operationId).toBeTruthy();
      expect(operation!.tags).toEqual([tag]);
      expect(Object.keys(operation!.responses)).toEqual(expect.arrayContaining(statuses));
      for (const status of statuses.filter((code) => Number(code) >= 400)) {
        expect(Object.keys(operation!.responses[status]!.content ?? {})).toEqual([
          "application/problem+json",
        ]);
      }
      if (method === "post") expect(operation!.requestBody).toBeDefined();
      const secured = ["/auth/me", "/auth/introspect", "/auth/password"].includes(path);
      // Changing the password is for a signed-in person only (access token); the others take an API token too.
      const schemes =
        path === "/auth/password" ? [{ bearerAuth: [] }] : [{ bearerAuth: [] }, { apiToken: [] }];
      expect(operation!.security).toEqual(secured ? schemes : []);
    }
  });
});
