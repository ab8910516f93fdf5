import type { Context } from "hono";
import type { AppEnv } from "../../http/hono-env";
import { AppError } from "../../platform/errors";
import { clientAddress, normaliseIdentifier } from "../rate-limit/client-key";
import { enforceRateLimit } from "../rate-limit/enforce";
import type { RateLimitPolicyName } from "../rate-limit/policies";
import type { User } from "../users/user";

/**
 * The password step of a page sign-in (`/admin/entrar`, `/tokens/ativar-2fa/`) under the same
 * per-identifier limits as `POST /auth/login`, on the same subjects so both spend one budget:
 * `login_identifier_client` (this identifier from this client) and `login_identifier` (from
 * anywhere). As the `rateLimit()` middleware does for `counts: "failures"` policies, every attempt
 * is charged up front and the charge is refunded unless the password was refused, so only wrong
 * passwords use the budget up. The route itself carries `rateLimit("login_ip")`.
 */
export async function checkPagePassword(
  c: Context<AppEnv>,
  identifier: string,
  password: string,
): Promise<User> {
  const services = c.get("services");
  const normalized = normaliseIdentifier(identifier);
  const charges: Array<[RateLimitPolicyName, string]> = [
    ["login_identifier_client", `identifier:${normalized}|ip:${clientAddress(c.req.raw.headers)}`],
    ["login_identifier", `identifier:${normalized}`],
  ];
  const charged: Array<[RateLimitPolicyName, string]> = [];
  try {
    for (const [policy, subject] of charges) {
      if (await enforceRateLimit(services, policy, subject)) charged.push([policy, subject]);
    }
    const user = await services.accounts.login.checkPassword(identifier, password);
    refund(c, charged);
    return user;
  } catch (error) {
    if (!(error instanceof AppError && error.code === "INVALID_CREDENTIALS")) refund(c, charged);
    throw error;
  }
}

/** Gives the units back after the response, as the middleware does (never delays a sign-in). */
function refund(c: Context<AppEnv>, charged: ReadonlyArray<[RateLimitPolicyName, string]>): void {
  const { background, rateLimiter, config } = c.get("services");
  for (const [policy, subject] of charged) {
    const setting = config.rateLimits[policy];
    if (!setting) continue;
    background.defer(`rate-limit refund (${policy})`, () => rateLimiter.refund(policy, subject, setting));
  }
}
