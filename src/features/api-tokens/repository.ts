import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../../db";
import { dateOrNull } from "../../db/time";
import { decodeIdCursor, encodeIdCursor } from "../../platform/id-cursor";
import type { Role, UserStatus } from "../users/user";
import type {
  ApiToken,
  ApiTokenRevocationReason,
  ApiTokenScope,
  ApiTokenWithOwner,
  NewApiToken,
} from "./api-token";

/** The largest page `list` returns, whatever it is asked for. */
export const MAX_API_TOKEN_PAGE_SIZE = 100;

interface ApiTokenRow {
  id: string;
  user_id: string;
  nome: string;
  descricao: string | null;
  scope: string;
  permissions: string | null;
  allowed_ips: string | null;
  rate_limit: string | null;
  token_start: string;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
  revoked_by: string | null;
  revoked_reason: string | null;
}

interface ApiTokenWithOwnerRow extends ApiTokenRow {
  owner_role: string;
  owner_status: string;
}

// Every column but token_hash: no read returns the hash (see ApiToken).
const COLUMN_NAMES = [
  "id",
  "user_id",
  "nome",
  "descricao",
  "scope",
  "permissions",
  "allowed_ips",
  "rate_limit",
  "token_start",
  "created_at",
  "expires_at",
  "last_used_at",
  "revoked_at",
  "revoked_by",
  "revoked_reason",
] as const;
const COLUMNS = sql.raw(COLUMN_NAMES.join(", "));
const TOKEN_COLUMNS_OF_JOIN = sql.raw(COLUMN_NAMES.map((name) => `api_tokens.${name}`).join(", "));

const listOrNull = (json: string | null): string[] | null =>
  json === null ? null : (JSON.parse(json) as string[]);
const jsonOrNull = (list: string[] | null): string | null => (list === null ? null : JSON.stringify(list));

function toApiToken(row: ApiTokenRow): ApiToken {
  return {
    id: row.id,
    userId: row.user_id,
    nome: row.nome,
    descricao: row.descricao,
    scope: row.scope as ApiTokenScope,
    permissions: listOrNull(row.permissions),
    allowedIps: listOrNull(row.allowed_ips),
    rateLimit: row.rate_limit,
    tokenStart: row.token_start,
    createdAt: new Date(row.created_at),
    expiresAt: dateOrNull(row.expires_at),
    lastUsedAt: dateOrNull(row.last_used_at),
    revokedAt: dateOrNull(row.revoked_at),
    revokedBy: row.revoked_by,
    revokedReason: row.revoked_reason as ApiTokenRevocationReason | null,
  };
}

/** One page of `list`, newest first; `nextCursor` is null on the last page. */
export interface ApiTokenPage {
  tokens: ApiToken[];
  nextCursor: string | null;
}

/** Who revokes, why and when; `onlyUserId` limits the revocation to that owner's tokens. */
export interface ApiTokenRevocation {
  by: string;
  reason: ApiTokenRevocationReason;
  at: Date;
  onlyUserId?: string;
}

/**
 * API tokens on D1 or PostgreSQL. Uniqueness is the unique index on the hash (a collision rejects
 * the insert, the service retries with a fresh token); revocation and `last_used_at` are each one
 * conditional UPDATE, so concurrent callers never need a read first.
 */
export class ApiTokenRepository {
  constructor(private readonly db: Database) {}

  /** Stores a new token; a duplicate hash (or id) rejects with the adapter's unique-violation error. */
  async insert(token: NewApiToken): Promise<ApiToken> {
    const row = await this.db.first<ApiTokenRow>(sql`
      INSERT INTO api_tokens (id, user_id, nome, descricao, scope, permissions, allowed_ips, rate_limit,
                              token_hash, token_start, created_at, expires_at)
      VALUES (${token.id}, ${token.userId}, ${token.nome}, ${token.descricao}, ${token.scope},
              ${jsonOrNull(token.permissions)}, ${jsonOrNull(token.allowedIps)}, ${token.rateLimit},
              ${token.tokenHash}, ${token.tokenStart}, ${token.createdAt.getTime()},
              ${token.expiresAt?.getTime() ?? null})
      RETURNING ${COLUMNS}`);
    return toApiToken(row!);
  }

  /**
   * The token with this hash and its owner's current role and status, in one read on the unique
   * hash index (the hot path of every API-token request). Revoked and expired tokens are returned
   * too: the caller decides, and can say why.
   */
  async findByHash(tokenHash: string): Promise<ApiTokenWithOwner | undefined> {
    const row = await this.db.first<ApiTokenWithOwnerRow>(sql`
      SELECT ${TOKEN_COLUMNS_OF_JOIN}, users.role AS owner_role, users.status AS owner_status
      FROM api_tokens JOIN users ON users.id = api_tokens.user_id
      WHERE api_tokens.token_hash = ${tokenHash}`);
    if (row === undefined) return undefined;
    return {
      ...toApiToken(row),
      owner: { role: row.owner_role as Role, status: row.owner_status as UserStatus },
    };
  }

  async findById(id: string): Promise<ApiToken | undefined> {
    const row = await this.db.first<ApiTokenRow>(sql`SELECT ${COLUMNS} FROM api_tokens WHERE id = ${id}`);
    return row && toApiToken(row);
  }

  /**
   * Tokens newest first (ids are time-ordered), revoked and expired ones included, optionally of one
   * user. `cursor` is a previous page's `nextCursor`; a forged one is `AppError("VALIDATION_FAILED")`.
   * `limit` is brought within 1..MAX_API_TOKEN_PAGE_SIZE.
   */
  async list(options: { userId?: string; cursor?: string; limit: number }): Promise<ApiTokenPage> {
    const pageSize = Math.min(Math.max(Math.trunc(options.limit) || 1, 1), MAX_API_TOKEN_PAGE_SIZE);
    const conditions: SQL[] = [];
    if (options.userId !== undefined) conditions.push(sql`user_id = ${options.userId}`);
    if (options.cursor !== undefined)
      conditions.push(sql`id < ${decodeIdCursor(options.cursor, "apiToken")}`);
    const where = conditions.length === 0 ? sql.empty() : sql`WHERE ${sql.join(conditions, sql` AND `)}`;
    // One row more than the page tells whether another page follows.
    const rows = await this.db.all<ApiTokenRow>(sql`
      SELECT ${COLUMNS} FROM api_tokens ${where} ORDER BY id DESC LIMIT ${pageSize + 1}`);
    const tokens = rows.slice(0, pageSize).map(toApiToken);
    const last = tokens.at(-1);
    return { tokens, nextCursor: rows.length > pageSize && last ? encodeIdCursor(last.id) : null };
  }

  /**
   * Revokes a live token: one conditional UPDATE, so of concurrent revocations exactly one gets the
   * row back. Undefined when there is no such token, it is already revoked, or it is not
   * `onlyUserId`'s.
   */
  async revoke(id: string, revocation: ApiTokenRevocation): Promise<ApiToken | undefined> {
    const ownerOnly =
      revocation.onlyUserId === undefined ? sql.empty() : sql`AND user_id = ${revocation.onlyUserId}`;
    const row = await this.db.first<ApiTokenRow>(sql`
      UPDATE api_tokens
      SET revoked_at = ${revocation.at.getTime()}, revoked_by = ${revocation.by}, revoked_reason = ${revocation.reason}
      WHERE id = ${id} AND revoked_at IS NULL ${ownerOnly}
      RETURNING ${COLUMNS}`);
    return row && toApiToken(row);
  }

  /**
   * Revokes the live token with this hash (a leaked token reported by whoever found it, so nobody
   * is `revoked_by`). Returns the token when this call revoked it, undefined when the token is
   * unknown or was already revoked (its owner was told then).
   */
  async revokeByHash(
    tokenHash: string,
    reason: ApiTokenRevocationReason,
    at: Date,
  ): Promise<ApiToken | undefined> {
    const row = await this.db.first<ApiTokenRow>(sql`
      UPDATE api_tokens SET revoked_at = ${at.getTime()}, revoked_reason = ${reason}
      WHERE token_hash = ${tokenHash} AND revoked_at IS NULL
      RETURNING ${COLUMNS}`);
    return row && toApiToken(row);
  }

  /**
   * Records a use at `at` only when the last recorded use is older than `minIntervalMs` (or there
   * is none), so a busy token costs one write a minute, not one a request. Never moves the time
   * back. True when it wrote.
   */
  async touchLastUsed(id: string, at: Date, minIntervalMs = 60_000): Promise<boolean> {
    const changed = await this.db.run(sql`
      UPDATE api_tokens SET last_used_at = ${at.getTime()}
      WHERE id = ${id} AND (last_used_at IS NULL OR last_used_at < ${at.getTime() - minIntervalMs})`);
    return changed === 1;
  }
}
