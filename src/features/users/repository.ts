import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../../db";
import { dateOrNull } from "../../db/time";
import { decodeIdCursor, encodeIdCursor } from "../../platform/id-cursor";
import { normalizeIdentifier, type Role, type User, type UserStatus } from "./user";

interface UserRow {
  id: string;
  username: string;
  email: string;
  password_hash: string;
  name: string;
  role: string;
  status: string;
  email_verified_at: number | null;
  tokens_valid_after: number | null;
  token_epoch: number;
  created_at: number;
  updated_at: number;
}

function insertUser(user: NewUser): SQL {
  return sql`
    INSERT INTO users (id, username, username_normalized, email, email_normalized, password_hash, name,
                       role, status, email_verified_at, created_at, updated_at)
    VALUES (${user.id}, ${user.username}, ${normalizeIdentifier(user.username)}, ${user.email},
            ${normalizeIdentifier(user.email)}, ${user.passwordHash}, ${user.name}, ${user.role}, ${user.status},
            ${user.emailVerifiedAt?.getTime() ?? null}, ${user.createdAt.getTime()}, ${user.createdAt.getTime()})`;
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    passwordHash: row.password_hash,
    name: row.name,
    role: row.role as Role,
    status: row.status as UserStatus,
    emailVerifiedAt: dateOrNull(row.email_verified_at),
    tokensValidAfter: dateOrNull(row.tokens_valid_after),
    tokenEpoch: Number(row.token_epoch),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

const COLUMNS = sql.raw(
  "id, username, email, password_hash, name, role, status, email_verified_at, tokens_valid_after, token_epoch, created_at, updated_at",
);

export type NewUser = Omit<User, "emailVerifiedAt" | "tokensValidAfter" | "tokenEpoch" | "updatedAt"> & {
  emailVerifiedAt?: Date | null;
};

/** The largest page `list` returns, whatever it is asked for. */
export const MAX_USER_PAGE_SIZE = 100;

/** Filters of `list`; all optional, combined with AND. */
export interface UserListFilter {
  role?: Role;
  status?: UserStatus;
  /** Part of the username or e-mail, matched case-insensitively (normalised like logins). */
  query?: string;
}

/** One page of `list`, newest first; `nextCursor` is null on the last page. */
export interface UserPage {
  users: User[];
  nextCursor: string | null;
}

/** A role change: from the role the caller saw to the new one. */
export interface RoleChange {
  from: Role;
  to: Role;
  at: Date;
}

/** `LIKE` with `%` and `_` taken literally (escaped with a backslash). */
function containing(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/**
 * Users on D1 or PostgreSQL through the storage port. Uniqueness of username and e-mail is
 * case-insensitive, enforced by unique indexes on the normalised columns (never read-then-write).
 */
export class UserRepository {
  constructor(private readonly db: Database) {}

  /** Inserts the user; `UniqueViolation` when the username or e-mail is taken. */
  async create(user: NewUser): Promise<User> {
    const row = await this.db.first<UserRow>(sql`${insertUser(user)} RETURNING ${COLUMNS}`);
    return toUser(row!);
  }

  /**
   * Inserts the user unless the username or e-mail is already taken; RETURNING id yields one row
   * only when it inserted. A statement for `db.atomic`; safe under concurrent callers because the
   * unique indexes decide, never a prior read.
   */
  createIfAbsentStatement(user: NewUser): SQL {
    return sql`${insertUser(user)} ON CONFLICT DO NOTHING RETURNING id`;
  }

  async findById(id: string): Promise<User | undefined> {
    return this.userFrom([await this.db.first<UserRow>(this.findByIdStatement(id))]);
  }

  /** `findById` as a statement for `db.atomic`, to read the user in the round trip of a write. */
  findByIdStatement(id: string): SQL {
    return sql`SELECT ${COLUMNS} FROM users WHERE id = ${id}`;
  }

  /** The user among the rows `findByIdStatement` returned, if any. */
  userFrom(rows: unknown[] | undefined): User | undefined {
    const row = rows?.[0] as UserRow | undefined;
    return row && toUser(row);
  }

  /** Looks a user up by username or e-mail, whichever `identifier` is, case-insensitively. */
  async findByLogin(identifier: string): Promise<User | undefined> {
    const normalized = normalizeIdentifier(identifier);
    const row = await this.db.first<UserRow>(sql`
      SELECT ${COLUMNS} FROM users
      WHERE username_normalized = ${normalized} OR email_normalized = ${normalized}
      ORDER BY CASE WHEN username_normalized = ${normalized} THEN 0 ELSE 1 END
      LIMIT 1`);
    return row && toUser(row);
  }

  /** True when some user has this username or this e-mail (case-insensitively). */
  async existsByUsernameOrEmail(username: string, email: string): Promise<boolean> {
    const row = await this.db.first<{ id: string }>(sql`
      SELECT id FROM users
      WHERE username_normalized = ${normalizeIdentifier(username)} OR email_normalized = ${normalizeIdentifier(email)}
      LIMIT 1`);
    return row !== undefined;
  }

  /** Re-hash on login (same password, new parameters); sessions are untouched. */
  async updatePasswordHash(id: string, passwordHash: string, at: Date): Promise<boolean> {
    return (
      (await this.db.run(
        sql`UPDATE users SET password_hash = ${passwordHash}, updated_at = ${at.getTime()} WHERE id = ${id}`,
      )) === 1
    );
  }

  /** Marks the e-mail verified once; later calls keep the first time and return false. */
  async markEmailVerified(id: string, at: Date): Promise<boolean> {
    return (
      (await this.db.run(sql`
        UPDATE users SET email_verified_at = ${at.getTime()}, updated_at = ${at.getTime()}
        WHERE id = ${id} AND email_verified_at IS NULL`)) === 1
    );
  }

  /**
   * Marks the e-mail verified only while the account still has `email` (a link sent to an old
   * address proves nothing about a new one). False when already verified or the address changed.
   */
  async markEmailVerifiedIfCurrent(id: string, email: string, at: Date): Promise<boolean> {
    return (
      (await this.db.run(sql`
        UPDATE users SET email_verified_at = ${at.getTime()}, updated_at = ${at.getTime()}
        WHERE id = ${id} AND email_normalized = ${normalizeIdentifier(email)} AND email_verified_at IS NULL`)) ===
      1
    );
  }

  /**
   * A new password that also cuts off every token issued until now (password reset or change):
   * the token epoch moves on. A statement, so it runs in one `db.atomic` with the revocation of
   * the refresh tokens.
   */
  replacePasswordStatement(id: string, passwordHash: string, at: Date): SQL {
    return sql`
      UPDATE users SET password_hash = ${passwordHash}, tokens_valid_after = ${at.getTime()},
                       token_epoch = token_epoch + 1, updated_at = ${at.getTime()}
      WHERE id = ${id}`;
  }

  /** Cuts off every token of the user issued until now (logout everywhere): the epoch moves on. */
  revokeAccessTokensStatement(id: string, at: Date): SQL {
    return sql`
      UPDATE users SET tokens_valid_after = ${at.getTime()}, token_epoch = token_epoch + 1, updated_at = ${at.getTime()}
      WHERE id = ${id}`;
  }

  async setStatus(id: string, status: UserStatus, at: Date): Promise<boolean> {
    return (
      (await this.db.run(
        sql`UPDATE users SET status = ${status}, updated_at = ${at.getTime()} WHERE id = ${id}`,
      )) === 1
    );
  }

  /**
   * Users newest first (ids are time-ordered), filtered. `cursor` is a previous page's
   * `nextCursor`; a forged one is `AppError("VALIDATION_FAILED")`. `limit` is brought within
   * 1..MAX_USER_PAGE_SIZE.
   */
  async list(filter: UserListFilter, page: { cursor?: string; limit: number }): Promise<UserPage> {
    const pageSize = Math.min(Math.max(Math.trunc(page.limit) || 1, 1), MAX_USER_PAGE_SIZE);
    const conditions: SQL[] = [];
    if (filter.role !== undefined) conditions.push(sql`role = ${filter.role}`);
    if (filter.status !== undefined) conditions.push(sql`status = ${filter.status}`);
    if (filter.query !== undefined) {
      const pattern = containing(normalizeIdentifier(filter.query));
      conditions.push(
        sql`(username_normalized LIKE ${pattern} ESCAPE '\\' OR email_normalized LIKE ${pattern} ESCAPE '\\')`,
      );
    }
    if (page.cursor !== undefined) conditions.push(sql`id < ${decodeIdCursor(page.cursor, "user")}`);
    const where = conditions.length === 0 ? sql.empty() : sql`WHERE ${sql.join(conditions, sql` AND `)}`;
    // One row more than the page tells whether another page follows.
    const rows = await this.db.all<UserRow>(
      sql`SELECT ${COLUMNS} FROM users ${where} ORDER BY id DESC LIMIT ${pageSize + 1}`,
    );
    const users = rows.slice(0, pageSize).map(toUser);
    const last = users.at(-1);
    return { users, nextCursor: rows.length > pageSize && last ? encodeIdCursor(last.id) : null };
  }

  /**
   * Changes a user's role only if it is still `change.from`, and never takes the role of the last
   * active root: one conditional UPDATE, so it returns the updated user or undefined (the role
   * changed meanwhile, or the user is the last root, or there is no such user).
   *
   * The batch first rewrites every root row unchanged: on PostgreSQL that locks them until the
   * batch commits, so two roots demoting each other at once run one after the other and the second
   * sees the first's change instead of both seeing the other still root. D1 runs batches one at a
   * time anyway.
   */
  async changeRole(id: string, change: RoleChange): Promise<User | undefined> {
    const at = change.at.getTime();
    const [, rows] = await this.db.atomic([
      sql`UPDATE users SET updated_at = updated_at WHERE role = 'root'`,
      sql`
        UPDATE users SET role = ${change.to}, updated_at = ${at}
        WHERE id = ${id} AND role = ${change.from}
          AND (role <> 'root' OR EXISTS (
            SELECT 1 FROM users AS other WHERE other.role = 'root' AND other.status = 'active' AND other.id <> ${id}))
        RETURNING ${COLUMNS}`,
    ]);
    const row = rows?.[0] as UserRow | undefined;
    return row && toUser(row);
  }

  /**
   * How many stored password hashes use each parameter set, as `$argon2id$v=19$m=…,t=…,p=…`
   * prefixes: this service's hashes end in a 16-byte salt and a 32-byte tag (67 characters), so the
   * prefix is the rest. Hashes of another shape give prefixes the caller will not recognise.
   */
  async passwordParameterCounts(): Promise<Array<{ params: string; total: number }>> {
    // CASE: PostgreSQL refuses a negative substring length (a hash shorter than the suffix).
    const prefix = sql`CASE WHEN length(password_hash) > 67 THEN substr(password_hash, 1, length(password_hash) - 67) ELSE '' END`;
    const rows = await this.db.all<{ params: string; total: number }>(
      sql`SELECT ${prefix} AS params, COUNT(*) AS total FROM users GROUP BY ${prefix}`,
    );
    return rows.map((row) => ({ params: row.params, total: Number(row.total) }));
  }

  async count(): Promise<number> {
    const row = await this.db.first<{ total: number }>(sql`SELECT COUNT(*) AS total FROM users`);
    return Number(row?.total ?? 0);
  }
}
