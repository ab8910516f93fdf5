import type { SessionService } from "../accounts/sessions/service";
import { type Principal, SCOPES } from "./principal";

/**
 * Turns a bearer credential into a `Principal`. Today the credential is an access JWT; API tokens
 * join here, so every route accepts both through the one `authenticate()` middleware.
 */
export class Authenticator {
  constructor(private readonly sessions: Pick<SessionService, "authenticate">) {}

  /** The principal behind `credential`; 401 for anything that is not a live credential. */
  async authenticate(credential: string): Promise<Principal> {
    const { user } = await this.sessions.authenticate(credential);
    return { kind: "user", userId: user.id, role: user.role, scopes: SCOPES, user };
  }
}
