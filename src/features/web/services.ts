import type { RandomSource } from "../../platform/random";
import type { Shared } from "../../shared";
import { CsrfTokens } from "./csrf";
import { PageSessionRepository } from "./page-session-repository";
import { PageSessionService } from "./page-sessions";

/** What server-rendered pages share, as `services.web`. */
export interface WebServices {
  sessions: PageSessionService;
  /** Made on first use (its key is derived once per isolate). */
  csrf(): Promise<CsrfTokens>;
  /** For the sign-in form's nonce cookie. */
  random: RandomSource;
}

/** Wires the page infrastructure: cookie sessions and CSRF tokens. */
export function createWebServices(
  shared: Pick<Shared, "db" | "clock" | "random" | "users" | "audit" | "config">,
): WebServices {
  return {
    sessions: new PageSessionService({ ...shared, sessions: new PageSessionRepository(shared.db) }),
    csrf: () => CsrfTokens.fromConfig(shared.config.encryption.data),
    random: shared.random,
  };
}
