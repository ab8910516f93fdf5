import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PERMISSION_NAMES, PERMISSIONS } from "../../../src/features/authorization/permissions";
import {
  maxScopeOf,
  narrowerScope,
  type Principal,
  roleAtLeast,
  SCOPES,
  scopesUpTo,
} from "../../../src/features/authorization/principal";
import { allows, refusalOf } from "../../../src/features/authorization/rules";
import { securityFor } from "../../../src/features/authorization/security";
import { ROLES } from "../../../src/features/users/user";

const user = (role: Principal["role"]): Principal => ({
  kind: "user",
  userId: "usr_x",
  role,
  scopes: SCOPES,
});
const apiToken = (
  role: Principal["role"],
  scope: (typeof SCOPES)[number],
  permissions?: string[],
): Principal => ({
  kind: "apiToken",
  userId: "usr_x",
  role,
  scopes: scopesUpTo(narrowerScope(scope, maxScopeOf(role))),
  ...(permissions ? { permissions: permissions as Principal["permissions"] } : {}),
});

describe("roles and scopes", () => {
  it("order roles root > admin > gestor > usuario and cap scopes by role", () => {
    expect(ROLES.map((role) => ROLES.filter((other) => roleAtLeast(role, other)).length)).toEqual([
      4, 3, 2, 1,
    ]);
    expect(ROLES.map(maxScopeOf)).toEqual(["admin", "admin", "write", "write"]);
    expect(scopesUpTo("write")).toEqual(["read", "write"]);
    expect(narrowerScope("admin", "write")).toBe("write");
    expect(narrowerScope("read", "admin")).toBe("read");
  });
});

describe("refusalOf", () => {
  it("an access token may do whatever the role may, whatever the operation's scope", () => {
    for (const permission of PERMISSION_NAMES) {
      for (const role of ROLES) {
        expect(allows(user(role), permission), `${role} ${permission}`).toBe(
          roleAtLeast(role, PERMISSIONS[permission].role),
        );
      }
    }
  });

  it("an API token never does more than its owner's access token, its scope or its permissions allow", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ROLES),
        fc.constantFrom(...SCOPES),
        fc.constantFrom(...PERMISSION_NAMES),
        fc.option(fc.subarray([...PERMISSION_NAMES]), { nil: undefined }),
        (role, scope, permission, narrowed) => {
          const principal = apiToken(role, scope, narrowed);
          if (!allows(principal, permission)) return;
          const rule: { role: Principal["role"]; scope: (typeof SCOPES)[number]; apiTokens?: false } =
            PERMISSIONS[permission];
          expect(allows(user(role), permission)).toBe(true);
          expect(rule.apiTokens).toBeUndefined();
          expect(scopesUpTo(scope)).toContain(rule.scope);
          expect(scopesUpTo(maxScopeOf(role))).toContain(rule.scope);
          if (narrowed) expect(narrowed).toContain(permission);
        },
      ),
    );
  });

  it("says why", () => {
    expect(refusalOf(user("usuario"), "users:read")).toBe("This needs the admin role or above");
    expect(refusalOf(apiToken("root", "admin"), "api-tokens:create")).toBe(
      "API tokens cannot do this; sign in instead",
    );
    expect(refusalOf(apiToken("root", "write"), "users:role")).toBe("This API token lacks the admin scope");
    // An admin-scope token of an owner demoted to gestor acts with write at most.
    expect(refusalOf(apiToken("gestor", "admin"), "invites:create")).toBeUndefined();
    expect(refusalOf(apiToken("usuario", "read", ["api-tokens:read"]), "profile:read")).toBe(
      "This API token is not allowed profile:read",
    );
  });
});

describe("securityFor", () => {
  it("offers API tokens only for operations open to them", () => {
    expect(securityFor("profile:read")).toEqual([{ bearerAuth: [] }, { apiToken: [] }]);
    expect(securityFor("api-tokens:create")).toEqual([{ bearerAuth: [] }]);
  });
  it("offers tenant access tokens only for the tenant routes", () => {
    expect(securityFor("tenant-roles:write")).toEqual([
      { bearerAuth: [] },
      { apiToken: [] },
      { tenantToken: [] },
    ]);
  });
});

describe("tenant access tokens", () => {
  const tenantToken: Principal = {
    kind: "tenant",
    userId: "usr_x",
    role: "root",
    scopes: SCOPES,
    tenantId: "tnt_x",
    tenantSlug: "acme",
    tenantRole: "admin",
  };

  it("may do only the operations open to tenant tokens, whatever the user's global role", () => {
    const allowed = PERMISSION_NAMES.filter((permission) => allows(tenantToken, permission));
    expect(allowed.sort()).toEqual(["tenant-roles:read", "tenant-roles:write"]);
    expect(refusalOf(tenantToken, "users:read")).toMatch(/tenant access token/);
  });
});
