import type { Principal } from "../authorization/principal";
import type { AuditChain, ChainReport } from "./chain-service";
import type { AuditLogRepository, AuditPage, AuditQuery } from "./repository";

/**
 * The audit log as an API: listings scoped to the reader (root reads every row; an admin reads the
 * rows of the tenants they belong to, so tenants stay apart here too) and the hash-chain check.
 */
export class AuditLogService {
  constructor(
    private readonly repository: Pick<AuditLogRepository, "list">,
    private readonly chain: Pick<AuditChain, "verify">,
  ) {}

  list(
    reader: Pick<Principal, "userId" | "role">,
    query: Omit<AuditQuery, "tenantsOf">,
    page: { cursor?: string; limit: number },
  ): Promise<AuditPage> {
    return this.repository.list(
      { ...query, tenantsOf: reader.role === "root" ? undefined : reader.userId },
      page,
    );
  }

  /** Seals pending rows, then checks the chain from `afterSeq` (see `AuditChain.verify`). */
  verify(options: { afterSeq?: number; limit: number }): Promise<ChainReport> {
    return this.chain.verify(options);
  }
}
