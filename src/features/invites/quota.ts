import type { InviteQuota, QuotaDecision } from "../../durable-objects/invite-quota";
import type { Clock } from "../../platform/clock";

export type { QuotaDecision } from "../../durable-objects/invite-quota";

/** The daily invite cap of each issuer, on the injected clock's UTC day. */
export interface InviteQuotaClient {
  /** Takes one of today's `limit` invites for `issuerId`, or refuses without changing anything. */
  reserve(issuerId: string, limit: number): Promise<QuotaDecision>;
  /** Gives back a slot taken today whose invite could not be created. */
  release(issuerId: string): Promise<void>;
}

/**
 * The `InviteQuota` Durable Objects, one per issuer (named by user id: not a secret, and stable,
 * so an issuer's count lives in one place whichever isolate serves them).
 */
export function durableInviteQuota(
  namespace: DurableObjectNamespace<InviteQuota>,
  clock: Clock,
): InviteQuotaClient {
  return {
    reserve: (issuerId, limit) => namespace.getByName(issuerId).reserve(limit, clock.now().getTime()),
    release: (issuerId) => namespace.getByName(issuerId).release(clock.now().getTime()),
  };
}
