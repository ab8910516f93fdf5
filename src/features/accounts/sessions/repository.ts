import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../../../db";
import { dateOrNull } from "../../../db/time";

/** A stored refresh token: only its SHA-256 hash, never the token. */
export interface RefreshTokenRecord {
  id: string;
  userId: string;
  tokenHash: string;
  /** The login this token descends from: the id of the family's first token. */
  familyId: string;
  parentId: string | null;
  /** When the session began (the family's first token): caps every member's expiry. */
  sessionStartedAt: Date;
  /** Set when rotated: the child issued in exchange. */
  replacedById: string | null;
  expiresAt: Date;
  rotatedAt: Date | null;
  revokedAt: Date | null;
  revokedReason: string | null;
  ip: string | null;
  userAgent: string | null;
  createdAt: Date;
}

export type NewRefreshToken = Omit<
  RefreshTokenRecord,
  "replacedById" | "rotatedAt" | "revokedAt" | "revokedReason"
>;

/** Why a refresh token stopped working (stored in `revoked_reason`). */
export type RevocationReason =
  | "logout"
  | "logout_all"
  | "reuse_detected"
  | "password_reset"
  | "password_change"
  /** Presented after a cut-off that its row escaped (a rotation racing a reset on PostgreSQL). */
  | "cut_off";

interface RefreshTokenRow {
  id: string;
  user_id: string;
  token_hash: string;
  family_id: string;
  parent_id: string | null;
  session_started_at: number;
  replaced_by_id: string | null;
  expires_at: number;
  rotated_at: number | null;
  revoked_at: number | null;
  revoked_reason: string | null;
  ip: string | null;
  user_agent: string | null;
  created_at: number;
}

const COLUMNS = sql.raw(
  "id, user_id, token_hash, family_id, parent_id, session_started_at, replaced_by_id, expires_at, rotated_at, revoked_at, revoked_reason, ip, user_agent, created_at",
);

function toRecord(row: RefreshTokenRow): RefreshTokenRecord {
  return {
    id: row.id,
    userId: row.user_id,
    tokenHash: row.token_hash,
    familyId: row.family_id,
    parentId: row.parent_id,
    sessionStartedAt: new Date(Number(row.session_started_at)),
    replacedById: row.replaced_by_id,
    expiresAt: new Date(row.expires_at),
    rotatedAt: dateOrNull(row.rotated_at),
    revokedAt: dateOrNull(row.revoked_at),
    revokedReason: row.revoked_reason,
    ip: row.ip,
    userAgent: row.user_agent,
    createdAt: new Date(row.created_at),
  };
}

/** What a rotation stores of the child; the rest comes from its parent. */
export type ChildToken = Pick<
  RefreshTokenRecord,
  "id" | "tokenHash" | "expiresAt" | "ip" | "userAgent" | "createdAt"
>;

/** True while the token may be exchanged: not rotated, not revoked, not expired at `at`. */
export function isLive(record: RefreshTokenRecord, at: Date): boolean {
  return record.rotatedAt === null && record.revokedAt === null && record.expiresAt > at;
}

/**
 * Refresh tokens on D1 or PostgreSQL. Rotation retires the parent with one conditional UPDATE and
 * inserts the child in the same atomic unit, so of any number of concurrent rotations of one token
 * exactly one succeeds and no chain ever forks.
 */
export class RefreshTokenRepository {
  constructor(private readonly db: Database) {}

  async insert(token: NewRefreshToken): Promise<void> {
    await this.db.run(this.insertStatement(token));
  }

  /** `insert` as a statement for `db.atomic`. */
  insertStatement(token: NewRefreshToken): SQL {
    return sql`
      INSERT INTO refresh_tokens (id, user_id, token_hash, family_id, parent_id, session_started_at, expires_at, ip,
                                  user_agent, created_at)
      VALUES (${token.id}, ${token.userId}, ${token.tokenHash}, ${token.familyId}, ${token.parentId},
              ${token.sessionStartedAt.getTime()}, ${token.expiresAt.getTime()}, ${token.ip}, ${token.userAgent},
              ${token.createdAt.getTime()})`;
  }

  async findById(id: string): Promise<RefreshTokenRecord | undefined> {
    const row = await this.db.first<RefreshTokenRow>(
      sql`SELECT ${COLUMNS} FROM refresh_tokens WHERE id = ${id}`,
    );
    return row && toRecord(row);
  }

  /**
   * Exchanges the live token `parent` for `child` (same user, family and session start). Returns
   * the child as stored when this call won, undefined when the parent was not live (already
   * rotated, revoked, expired, or not this token).
   */
  async rotate(
    parent: { id: string; tokenHash: string },
    child: ChildToken,
  ): Promise<RefreshTokenRecord | undefined> {
    const [retired, inserted] = await this.db.atomic(this.rotateStatements(parent, child));
    return this.rotatedChild(retired, inserted);
  }

  /**
   * `rotate` as its two statements, for a unit that adds its own (the audit row, the reads the
   * response needs) to the same round trip; `rotatedChild` reads their result. With `holder`, the
   * parent is retired only while its user is active and still at `tokenEpoch` (no cut-off since
   * the parent was signed), so the caller may sign the child before it has read the user.
   */
  rotateStatements(
    parent: { id: string; tokenHash: string },
    child: ChildToken,
    holder?: { tokenEpoch: number },
  ): [SQL, SQL] {
    const at = child.createdAt.getTime();
    const holderStillValid = holder
      ? sql`AND EXISTS (SELECT 1 FROM users u WHERE u.id = refresh_tokens.user_id AND u.status = 'active'
                          AND u.token_epoch = ${holder.tokenEpoch})`
      : sql``;
    return [
      sql`
        UPDATE refresh_tokens SET rotated_at = ${at}, replaced_by_id = ${child.id}
        WHERE id = ${parent.id} AND token_hash = ${parent.tokenHash}
          AND rotated_at IS NULL AND revoked_at IS NULL AND expires_at > ${at} ${holderStillValid}
        RETURNING id`,
      // Inserts only if the UPDATE above won: it is what set replaced_by_id to this child's id.
      sql`
        INSERT INTO refresh_tokens (id, user_id, token_hash, family_id, parent_id, session_started_at, expires_at, ip,
                                    user_agent, created_at)
        SELECT ${child.id}, user_id, ${child.tokenHash}, family_id, id, session_started_at,
               CAST(${child.expiresAt.getTime()} AS BIGINT),
               ${child.ip}, ${child.userAgent}, CAST(${at} AS BIGINT)
        FROM refresh_tokens WHERE id = ${parent.id} AND replaced_by_id = ${child.id}
        RETURNING ${COLUMNS}`,
    ];
  }

  /** The child as stored when the unit's first two statements (`rotateStatements`) won, else undefined. */
  rotatedChild(
    retired: unknown[] | undefined,
    inserted: unknown[] | undefined,
  ): RefreshTokenRecord | undefined {
    if (retired?.length !== 1) return undefined;
    return toRecord((inserted as RefreshTokenRow[])[0]!);
  }

  /** True at a point of a unit after which the child `childId` exists (for an audit row's guard). */
  childExists(childId: string): SQL {
    return sql`EXISTS (SELECT 1 FROM refresh_tokens WHERE id = ${childId})`;
  }

  /** The family id of token `id` as JSON metadata `{"familyId":…}`, a scalar subquery (ids need no escaping). */
  familyMetadataOf(id: string): SQL {
    return sql`(SELECT '{"familyId":"' || family_id || '"}' FROM refresh_tokens WHERE id = ${id})`;
  }

  /** Revokes every token of a family that is not revoked yet; returns how many. */
  async revokeFamily(familyId: string, reason: RevocationReason, at: Date): Promise<number> {
    return this.db.run(sql`
      UPDATE refresh_tokens SET revoked_at = ${at.getTime()}, revoked_reason = ${reason}
      WHERE family_id = ${familyId} AND revoked_at IS NULL`);
  }

  /** Revokes the family of the token with this id and hash (one session); returns how many rows. */
  async revokeFamilyOf(id: string, tokenHash: string, reason: RevocationReason, at: Date): Promise<number> {
    return this.db.run(sql`
      UPDATE refresh_tokens SET revoked_at = ${at.getTime()}, revoked_reason = ${reason}
      WHERE revoked_at IS NULL
        AND family_id IN (SELECT family_id FROM refresh_tokens WHERE id = ${id} AND token_hash = ${tokenHash})`);
  }

  /** Revokes every token of the user; a statement (with RETURNING id) for `db.atomic`. */
  revokeAllForUserStatement(userId: string, reason: RevocationReason, at: Date): SQL {
    return sql`
      UPDATE refresh_tokens SET revoked_at = ${at.getTime()}, revoked_reason = ${reason}
      WHERE user_id = ${userId} AND revoked_at IS NULL
      RETURNING id`;
  }
}
