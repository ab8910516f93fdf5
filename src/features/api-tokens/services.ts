import type { Shared } from "../../shared";
import { ApiTokenAuthenticator } from "./authenticator";
import { ApiTokenRepository } from "./repository";
import { ApiTokenService } from "./service";
import { type IsolateThrottle, isolateThrottle } from "./throttle";

/** API tokens, as `services.apiTokens`. */
export interface ApiTokenServices {
  /** Create, list, revoke, leak reports. */
  tokens: ApiTokenService;
  /** API token → principal, for the one `Authenticator` behind `authenticate()`. */
  authenticator: ApiTokenAuthenticator;
}

/** What the API-token services are built from. */
export type ApiTokenShared = Pick<
  Shared,
  | "db"
  | "clock"
  | "random"
  | "client"
  | "users"
  | "audit"
  | "metrics"
  | "email"
  | "background"
  | "logger"
  | "credentials"
>;

/** Wires the API-token services over this isolate's throttle (tests pass a fresh one). */
export function createApiTokenServices(
  shared: ApiTokenShared,
  throttle: IsolateThrottle = isolateThrottle,
): ApiTokenServices {
  const tokens = new ApiTokenRepository(shared.db);
  return {
    tokens: new ApiTokenService({ ...shared, tokens }),
    authenticator: new ApiTokenAuthenticator({ ...shared, tokens, throttle }),
  };
}
