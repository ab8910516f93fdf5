import { hexEncode } from "../../platform/encoding";

/** The `prev` of the first link: 64 zeros, so every link hashes the same shape. */
export const GENESIS_HASH = "0".repeat(64);

/** Names the hashing scheme inside every hashed text, so a future scheme cannot be confused with it. */
const SCHEME = "edge-auth/audit-chain/v1";

/** An audit row exactly as stored: what a link's hash covers (metadata as its stored JSON text). */
export interface ChainRow {
  id: string;
  event: string;
  result: string;
  reason: string | null;
  actor_id: string | null;
  target_type: string | null;
  target_id: string | null;
  tenant_id: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  client_request_id: string | null;
  metadata: string;
  created_at: number;
}

/**
 * The hash of one link: SHA-256 (hex) of a JSON array of the scheme, the position, the previous
 * link's hash and every stored column in a fixed order. JSON keeps the fields apart unambiguously
 * (no separator a value could contain), and the stored metadata text is hashed as is, so
 * re-serialising it can never change a hash. Editing any column, moving a row to another position
 * or splicing it after another row changes this value and every later one.
 */
export async function linkHash(prevHash: string, seq: number, row: ChainRow): Promise<string> {
  const text = JSON.stringify([
    SCHEME,
    seq,
    prevHash,
    row.id,
    row.event,
    row.result,
    row.reason,
    row.actor_id,
    row.target_type,
    row.target_id,
    row.tenant_id,
    row.ip,
    row.user_agent,
    row.request_id,
    row.client_request_id,
    row.metadata,
    row.created_at,
  ]);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return hexEncode(new Uint8Array(digest));
}
