import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../../db";
import type { ChainRow } from "./chain";

/** The chain's last sealed position and its hash. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** A sealed row: its stored columns and its link. */
export interface SealedRow extends ChainRow {
  seq: number;
  hash: string;
}

/** One row to link: its id, the position it takes and its hash. */
export interface ChainLink {
  id: string;
  seq: number;
  hash: string;
}

const ROW_COLUMNS = sql.raw(
  "id, event, result, reason, actor_id, target_type, target_id, tenant_id, ip, user_agent, request_id, client_request_id, metadata, created_at",
);
/** The one row of `audit_chain_heads` this chain uses. */
const HEAD_ID = "audit";
/** D1 binds at most 100 parameters a statement: 3 per link and 2 for the head check. */
const LINKS_PER_STATEMENT = 32;

/**
 * The storage side of the audit hash chain (see chain-service.ts for the rules). Rows are written
 * by `AuditLogRepository.insert` with no link; only the sealer gives them one.
 */
export class AuditChainRepository {
  constructor(private readonly db: Database) {}

  async head(): Promise<ChainHead | undefined> {
    return this.db.first<ChainHead>(sql`SELECT seq, hash FROM audit_chain_heads WHERE id = ${HEAD_ID}`);
  }

  /** Rows not linked yet, oldest first: the order the sealer links them in. */
  async unsealed(limit: number): Promise<ChainRow[]> {
    return this.db.all<ChainRow>(sql`
      SELECT ${ROW_COLUMNS} FROM audit_logs WHERE seq IS NULL ORDER BY created_at, id LIMIT ${limit}`);
  }

  async countUnsealed(): Promise<number> {
    const row = await this.db.first<{ n: number | string }>(
      sql`SELECT COUNT(*) AS n FROM audit_logs WHERE seq IS NULL`,
    );
    return Number(row?.n ?? 0);
  }

  /** The highest linked position in the rows themselves (0 when none). */
  async maxSeq(): Promise<number> {
    const row = await this.db.first<{ n: number | string | null }>(sql`SELECT MAX(seq) AS n FROM audit_logs`);
    return Number(row?.n ?? 0);
  }

  /** The linked rows after position `afterSeq`, in chain order. */
  async sealedAfter(afterSeq: number, limit: number): Promise<SealedRow[]> {
    return this.db.all<SealedRow>(sql`
      SELECT ${ROW_COLUMNS}, seq, hash FROM audit_logs WHERE seq > ${afterSeq} ORDER BY seq LIMIT ${limit}`);
  }

  async hashAt(seq: number): Promise<string | undefined> {
    return (await this.db.first<{ hash: string }>(sql`SELECT hash FROM audit_logs WHERE seq = ${seq}`))?.hash;
  }

  /**
   * Links `links` (consecutive positions after `expected`) in one atomic unit, only if the head is
   * still `expected`: the first statement moves the head with a compare-and-swap (inserting it for
   * the very first link), and every row update requires the head to be the new one, which only
   * this call can have made. Returns false, having changed nothing, when another sealer moved the
   * head first. `seq` is unique, so even a bug here could not give two rows one position.
   */
  async link(expected: ChainHead | undefined, links: ChainLink[], at: Date): Promise<boolean> {
    const last = links.at(-1);
    if (!last) return true;
    const swap = sql`
      INSERT INTO audit_chain_heads (id, seq, hash, updated_at)
      VALUES (${HEAD_ID}, ${last.seq}, ${last.hash}, ${at.getTime()})
      ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, updated_at = excluded.updated_at
      WHERE audit_chain_heads.seq = ${expected?.seq ?? -1} AND audit_chain_heads.hash = ${expected?.hash ?? ""}
      RETURNING seq`;
    const updates: SQL[] = [];
    for (let start = 0; start < links.length; start += LINKS_PER_STATEMENT) {
      const values = links
        .slice(start, start + LINKS_PER_STATEMENT)
        .map((link) => sql`(${link.id}, CAST(${link.seq} AS BIGINT), ${link.hash})`);
      updates.push(sql`
        UPDATE audit_logs SET seq = v.column2, hash = v.column3
        FROM (VALUES ${sql.join(values, sql`, `)}) AS v
        WHERE audit_logs.id = v.column1 AND audit_logs.seq IS NULL
          AND EXISTS (SELECT 1 FROM audit_chain_heads h
                      WHERE h.id = ${HEAD_ID} AND h.seq = ${last.seq} AND h.hash = ${last.hash})`);
    }
    const [swapped] = await this.db.atomic([swap, ...updates]);
    return (swapped?.length ?? 0) === 1;
  }
}
