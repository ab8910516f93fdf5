import type { Shared } from "../../shared";
import { ApiTokenAuthenticator } from "./authenticator";
import { type ApiTokenLookupCache, type IsolateThrottle, isolateApiTokenState } from "./lookup-cache";
import { ApiTokenRepository } from "./repository";
import { ApiTokenService } from "./service";

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
  | "config"
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
>;

/**
 * Wires the API-token services over this isolate's lookup cache and throttle (tests pass their own
 * `state` to start from an empty cache).
 */
export function createApiTokenServices(
  shared: ApiTokenShared,
  state: { cache: ApiTokenLookupCache; throttle: IsolateThrottle } = isolateApiTokenState,
): ApiTokenServices {
  const tokens = new ApiTokenRepository(shared.db);
  return {
    tokens: new ApiTokenService({ ...shared, tokens, cache: state.cache }),
    authenticator: new ApiTokenAuthenticator({ ...shared, tokens, ...state }),
  };
}
