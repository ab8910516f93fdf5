import { claimedTokenKind } from "../../platform/jwt";
import type { SessionService } from "../accounts/sessions/service";
import type { ApiTokenAuthenticator } from "../api-tokens/authenticator";
import { looksLikeApiToken } from "../api-tokens/token-format";
import type { TenantTokenAuthenticator } from "../tenants/tenant-token";
import { type Principal, SCOPES } from "./principal";

/**
 * Turns a bearer credential into a `Principal`: an access JWT of a signed-in user, an API token
 * acting for its owner (told apart by the API-token prefix before any work), or a tenant access
 * token (told apart by its `typ`, which its own check pins again), so every route accepts all three
 * through the one `authenticate()` middleware and `authorize()` decides what each may do.
 */
export class Authenticator {
  constructor(
    private readonly sessions: Pick<SessionService, "authenticate">,
    private readonly apiTokens: Pick<ApiTokenAuthenticator, "authenticate">,
    private readonly tenantTokens: Pick<TenantTokenAuthenticator, "authenticate">,
  ) {}

  /**
   * The principal behind `credential`; 401 for anything that is not a live credential, 403 for a
   * live API token used from outside its IP allow-list.
   */
  async authenticate(credential: string): Promise<Principal> {
    if (looksLikeApiToken(credential)) return this.apiTokens.authenticate(credential);
    if (claimedTokenKind(credential) === "tenant") return this.tenantTokens.authenticate(credential);
    const { user } = await this.sessions.authenticate(credential);
    return { kind: "user", userId: user.id, role: user.role, scopes: SCOPES, user };
  }
}
