import type { Shared } from "../../shared";
import { DummyPasswordHashes } from "../accounts/sessions/dummy-hash";
import type { TwoFactorServices } from "../two-factor/services";
import { TenantAccessResolver } from "./access";
import { TenantAdminService } from "./admin-service";
import { AgentRepository } from "./agent-repository";
import { TenantLoginService } from "./login-service";
import { TenantRoleService } from "./role-service";
import { TenantSessionRepository } from "./session-repository";
import { TenantTokenAuthenticator } from "./tenant-token";

/** Tenants, as `services.tenants`. */
export interface TenantServices {
  /** `/api/tenants`: create, list, read, change. */
  admin: TenantAdminService;
  /** `/tenants/{slug}/login` and `/tenants/{slug}/mfa/verify`. */
  login: TenantLoginService;
  /** `/tenants/{slug}/roles`. */
  roles: TenantRoleService;
  /** Tenant access token → principal, for `authenticate()`. */
  tokens: TenantTokenAuthenticator;
}

/** What the tenant services are built from. */
export type TenantShared = Pick<
  Shared,
  | "config"
  | "db"
  | "users"
  | "tenants"
  | "passwords"
  | "audit"
  | "metrics"
  | "clock"
  | "random"
  | "jwt"
  | "client"
  | "credentials"
>;

/** Wires the tenant services; the second factor is the two-factor feature's own verifier. */
export function createTenantServices(
  shared: TenantShared,
  twoFactor: Pick<TwoFactorServices, "verifier" | "emailedCodes">,
): TenantServices {
  const agents = new AgentRepository(shared.db);
  const sessions = new TenantSessionRepository(shared.db);
  const access = new TenantAccessResolver({ tenants: shared.tenants, agents });
  return {
    admin: new TenantAdminService({ ...shared, sessions, agents }),
    login: new TenantLoginService({
      ...shared,
      dummyHashes: new DummyPasswordHashes(shared),
      agents,
      sessions,
      verifier: twoFactor.verifier,
      emailedCodes: twoFactor.emailedCodes,
    }),
    roles: new TenantRoleService({ ...shared, access, agents, sessions }),
    tokens: new TenantTokenAuthenticator({ ...shared, sessions }),
  };
}
