import type { Clock } from "../../platform/clock";
import type { Logger } from "../../platform/logger";
import { GENESIS_HASH, linkHash } from "./chain";
import type { AuditChainRepository, ChainHead, ChainLink } from "./chain-repository";

/** Where a check found the chain broken. */
export interface BrokenLink {
  /** The first position that does not check out. */
  seq: number;
  /** The row at that position, when there is one. */
  id: string | null;
  /**
   * `missing`: no row holds this position (a row was deleted or its link erased);
   * `altered`: the row's stored hash is not the hash of its columns and the previous link (this row,
   * or the one before it, was edited); `head_mismatch`: the last row does not match the recorded
   * head (the head or the last row was edited); `beyond_head`: rows hold positions past the head.
   */
  problem: "missing" | "altered" | "head_mismatch" | "beyond_head";
}

/** What `verify` reports. */
export interface ChainReport {
  valid: boolean;
  /** Rows this call linked before checking. */
  sealedNow: number;
  head: ChainHead | null;
  /** Rows still waiting for a link after this call's sealing (not covered by the chain yet). */
  unsealed: number;
  /** Positions checked: `fromSeq`..`toSeq` (empty when `toSeq < fromSeq`). */
  checked: { fromSeq: number; toSeq: number };
  firstBroken: BrokenLink | null;
  /** Pass as `afterSeq` to go on checking; null when the check reached the head (or broke). */
  nextAfterSeq: number | null;
}

/** Most rows one `seal` or one `verify` page handles. */
export const MAX_CHAIN_PAGE = 10_000;

/**
 * The tamper-evident audit log: every audit row gets a position (`seq`) and a hash covering its
 * columns and the previous row's hash, so editing, deleting or reordering a sealed row breaks
 * every hash from there on.
 *
 * Ordering. Requests insert audit rows concurrently, on D1 and on PostgreSQL, and an insert cannot
 * read the previous hash inside D1's non-interactive batches; and chaining at insert time would make
 * every audit write wait on one hot row. So rows are inserted unlinked, and a sealer links them
 * later, oldest first, in one atomic unit guarded by a compare-and-swap on the chain head
 * (`audit_chain_heads`): of two concurrent sealers one wins and the other changes nothing. The chain
 * order is therefore sealing order, which follows `created_at` except for rows committed late.
 *
 * The guarantee: once a row is sealed, any change to it (any column), its removal, a change of its
 * position or an insertion inside the sealed range is reported by `verify`, at the first position
 * affected. Rows are sealed by the cron (every 15 minutes) and before every check; a row is not
 * protected before it is sealed. Someone who can write the database can rewrite history from some
 * row on undetected, by recomputing every later hash and the head, or by erasing those rows' links
 * and moving the head back so the next sealing relinks them: compare the head against an earlier
 * one kept elsewhere (each sealing logs it) to catch that.
 */
export class AuditChain {
  constructor(
    private readonly repository: AuditChainRepository,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Links up to `maxRows` unsealed rows; returns how many it linked (0 if another sealer won). */
  async seal(maxRows: number): Promise<{ sealed: number; head: ChainHead | undefined }> {
    const limit = Math.min(Math.max(1, Math.floor(maxRows)), MAX_CHAIN_PAGE);
    const head = await this.repository.head();
    const rows = await this.repository.unsealed(limit);
    if (rows.length === 0) return { sealed: 0, head };
    let prev = head ?? { seq: 0, hash: GENESIS_HASH };
    const links: ChainLink[] = [];
    for (const row of rows) {
      const seq = prev.seq + 1;
      const hash = await linkHash(prev.hash, seq, row);
      links.push({ id: row.id, seq, hash });
      prev = { seq, hash };
    }
    const won = await this.repository.link(head, links, this.clock.now());
    if (!won) {
      this.logger.info("audit chain: another sealer moved the head first; nothing linked");
      return { sealed: 0, head };
    }
    // The head in the logs is the anchor that shows a rewritten chain (see the class comment).
    this.logger.info("audit chain sealed", { sealed: links.length, headSeq: prev.seq, headHash: prev.hash });
    return { sealed: links.length, head: prev };
  }

  /** Seals page after page of `pageRows` until none is left or `maxPages` pages are done. */
  async sealBacklog(pageRows: number, maxPages: number): Promise<number> {
    let total = 0;
    for (let page = 0; page < maxPages; page++) {
      const { sealed } = await this.seal(pageRows);
      total += sealed;
      if (sealed < pageRows) break;
    }
    return total;
  }

  /**
   * Seals up to `limit` rows, then checks up to `limit` positions after `afterSeq` (0: from the
   * start) and reports the first broken link. A long chain is checked page by page with
   * `nextAfterSeq`; a page trusts the stored hash at `afterSeq`, which the previous page checked.
   */
  async verify(options: { afterSeq?: number; limit: number }): Promise<ChainReport> {
    const limit = Math.min(Math.max(1, Math.floor(options.limit)), MAX_CHAIN_PAGE);
    const afterSeq = Math.max(0, Math.floor(options.afterSeq ?? 0));
    const { sealed } = await this.seal(limit);
    // Highest row position first, then the head: a concurrent sealer only ever moves both forward.
    const maxSeq = await this.repository.maxSeq();
    const head = (await this.repository.head()) ?? null;
    const unsealed = await this.repository.countUnsealed();
    const headSeq = head?.seq ?? 0;
    const report = (
      toSeq: number,
      firstBroken: BrokenLink | null,
      nextAfterSeq: number | null,
    ): ChainReport => ({
      valid: firstBroken === null,
      sealedNow: sealed,
      head,
      unsealed,
      checked: { fromSeq: afterSeq + 1, toSeq },
      firstBroken,
      nextAfterSeq,
    });

    if (maxSeq > headSeq) {
      return report(afterSeq, { seq: headSeq + 1, id: null, problem: "beyond_head" }, null);
    }
    if (afterSeq >= headSeq) return report(afterSeq, null, null);
    let prevHash = afterSeq === 0 ? GENESIS_HASH : await this.repository.hashAt(afterSeq);
    if (prevHash === undefined)
      return report(afterSeq, { seq: afterSeq, id: null, problem: "missing" }, null);
    const rows = await this.repository.sealedAfter(
      afterSeq,
      Math.min(limit, Math.max(0, headSeq - afterSeq)),
    );
    let expected = afterSeq + 1;
    for (const row of rows) {
      if (Number(row.seq) !== expected)
        return report(expected - 1, { seq: expected, id: null, problem: "missing" }, null);
      if ((await linkHash(prevHash, expected, row)) !== row.hash) {
        return report(expected - 1, { seq: expected, id: row.id, problem: "altered" }, null);
      }
      prevHash = row.hash;
      expected += 1;
    }
    const last = expected - 1;
    if (last < headSeq) {
      // A short page before the head: the positions up to the head are missing.
      if (rows.length < limit) return report(last, { seq: expected, id: null, problem: "missing" }, null);
      return report(last, null, last);
    }
    if (head && prevHash !== head.hash) {
      return report(last, { seq: headSeq, id: rows.at(-1)?.id ?? null, problem: "head_mismatch" }, null);
    }
    return report(last, null, null);
  }
}
