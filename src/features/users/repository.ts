import { sql } from "drizzle-orm";
import type { Database } from "../../db";
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
  created_at: number;
  updated_at: number;
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
    emailVerifiedAt: row.email_verified_at === null ? null : new Date(row.email_verified_at),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

const COLUMNS = sql.raw(
  "id, username, email, password_hash, name, role, status, email_verified_at, created_at, updated_at",
);

export type NewUser = Omit<User, "emailVerifiedAt" | "updatedAt"> & { emailVerifiedAt?: Date | null };

/**
 * Users on D1 or PostgreSQL through the storage port. Uniqueness of username and e-mail is
 * case-insensitive, enforced by unique indexes on the normalised columns (never read-then-write).
 */
export class UserRepository {
  constructor(private readonly db: Database) {}

  /** Inserts the user; `AppError("CONFLICT")` when the username or e-mail is taken. */
  async create(user: NewUser): Promise<User> {
    const row = await this.db.first<UserRow>(sql`
      INSERT INTO users (id, username, username_normalized, email, email_normalized, password_hash, name,
                         role, status, email_verified_at, created_at, updated_at)
      VALUES (${user.id}, ${user.username}, ${normalizeIdentifier(user.username)}, ${user.email},
              ${normalizeIdentifier(user.email)}, ${user.passwordHash}, ${user.name}, ${user.role}, ${user.status},
              ${user.emailVerifiedAt?.getTime() ?? null}, ${user.createdAt.getTime()}, ${user.createdAt.getTime()})
      RETURNING ${COLUMNS}`);
    return toUser(row!);
  }

  async findById(id: string): Promise<User | undefined> {
    const row = await this.db.first<UserRow>(sql`SELECT ${COLUMNS} FROM users WHERE id = ${id}`);
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

  async setStatus(id: string, status: UserStatus, at: Date): Promise<boolean> {
    return (
      (await this.db.run(
        sql`UPDATE users SET status = ${status}, updated_at = ${at.getTime()} WHERE id = ${id}`,
      )) === 1
    );
  }

  async count(): Promise<number> {
    const row = await this.db.first<{ total: number }>(sql`SELECT COUNT(*) AS total FROM users`);
    return Number(row?.total ?? 0);
  }
}
