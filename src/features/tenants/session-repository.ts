import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../../db";
import type { Role } from "../users/user";
import type { TenantRole } from "./repository";

/** `pending` waits for the second factor; `active` is a credential; `ended` is neither. */
export type TenantSessionState = "pending" | "active" | "ended";

/** The wrong second-factor codes a pending session takes before it dies. */
export const MAX_PENDING_ATTEMPTS = 5;

/** A tenant session as stored; the client's session id is kept only as its hash. */
export interface TenantSession {
  id: string;
  tenantId: string;
  userId: string;
  state: TenantSessionState;
  failedAttempts: number;
  expiresAt: Date;
  createdAt: Date;
}

/** What `insert` stores. */
export interface NewTenantSession {
  id: string;
  sessionHash: string;
  tenantId: string;
  userId: string;
  state: Exclude<TenantSessionState, "ended">;
  expiresAt: Date;
  ip: string | null;
  userAgent: string | null;
  /** The user's `token_epoch` at sign-in: a later cut-off (logout-all, password change or reset) ends it. */
  tokenEpoch: number;
  createdAt: Date;
}

/** What a tenant access token stands for right now: the agent's current role, read per use. */
export interface LiveTenantSession {
  sessionId: string;
  userId: string;
  tenantSlug: string;
  role: TenantRole;
  /** The user's global role (a tenant token never acts with it outside its tenant routes). */
  globalRole: Role;
  expiresAt: Date;
}

interface LiveRow {
  id: string;
  user_id: string;
  slug: string;
  role: TenantRole;
  global_role: Role;
  expires_at: number;
}

interface SessionRow {
  id: string;
  tenant_id: string;
  user_id: string;
  state: TenantSessionState;
  failed_attempts: number;
  expires_at: number;
  created_at: number;
}

const COLUMNS = sql.raw("id, tenant_id, user_id, state, failed_attempts, expires_at, created_at");

function toSession(row: SessionRow): TenantSession {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    state: row.state,
    failedAttempts: Number(row.failed_attempts),
    expiresAt: new Date(Number(row.expires_at)),
    createdAt: new Date(Number(row.created_at)),
  };
}

/**
 * Tenant sessions on D1 or PostgreSQL. Every method takes the tenant id first and every statement
 * is bounded by it: a session id of another tenant finds nothing. Single-use steps (activate a
 * pending session, count a wrong code) are one conditional statement each.
 */
export class TenantSessionRepository {
  constructor(private readonly db: Database) {}

  async insert(session: NewTenantSession): Promise<void> {
    await this.db.run(sql`
      INSERT INTO tenant_sessions (id, session_hash, tenant_id, user_id, state, failed_attempts,
                                   expires_at, ip, user_agent, token_epoch, created_at)
      VALUES (${session.id}, ${session.sessionHash}, ${session.tenantId}, ${session.userId}, ${session.state},
              0, ${session.expiresAt.getTime()}, ${session.ip}, ${session.userAgent}, ${session.tokenEpoch},
              ${session.createdAt.getTime()})`);
  }

  /** The tenant's pending session with this hash, still within its time and attempts; or undefined. */
  async findPending(tenantId: string, sessionHash: string, now: Date): Promise<TenantSession | undefined> {
    const row = await this.db.first<SessionRow>(sql`
      SELECT ${COLUMNS} FROM tenant_sessions
      WHERE tenant_id = ${tenantId} AND session_hash = ${sessionHash} AND state = 'pending'
        AND expires_at > ${now.getTime()} AND failed_attempts < ${MAX_PENDING_ATTEMPTS}`);
    return row && toSession(row);
  }

  /**
   * Counts one wrong code against a pending session; the fifth ends it. Returns the attempts left
   * (0: the session is now dead), or undefined when it was no longer pending.
   */
  async recordFailure(tenantId: string, id: string, now: Date): Promise<number | undefined> {
    const row = await this.db.first<{ failed_attempts: number }>(sql`
      UPDATE tenant_sessions
      SET failed_attempts = failed_attempts + 1,
          state = CASE WHEN failed_attempts + 1 >= ${MAX_PENDING_ATTEMPTS} THEN 'ended' ELSE state END,
          ended_at = CASE WHEN failed_attempts + 1 >= ${MAX_PENDING_ATTEMPTS} THEN ${now.getTime()} ELSE ended_at END,
          ended_reason = CASE WHEN failed_attempts + 1 >= ${MAX_PENDING_ATTEMPTS} THEN 'too_many_attempts' ELSE ended_reason END
      WHERE tenant_id = ${tenantId} AND id = ${id} AND state = 'pending'
      RETURNING failed_attempts`);
    return row && MAX_PENDING_ATTEMPTS - Number(row.failed_attempts);
  }

  /**
   * Turns a pending session active until `expiresAt`, once: of concurrent verifications exactly one
   * gets true. False when it is no longer pending, has expired, used up its attempts or its user's
   * sessions were cut off since it started.
   */
  async activate(tenantId: string, id: string, expiresAt: Date, now: Date): Promise<boolean> {
    const changed = await this.db.run(sql`
      UPDATE tenant_sessions SET state = 'active', activated_at = ${now.getTime()}, expires_at = ${expiresAt.getTime()}
      WHERE tenant_id = ${tenantId} AND id = ${id} AND state = 'pending'
        AND expires_at > ${now.getTime()} AND failed_attempts < ${MAX_PENDING_ATTEMPTS}
        AND token_epoch = (SELECT u.token_epoch FROM users u WHERE u.id = tenant_sessions.user_id)`);
    return changed === 1;
  }

  /**
   * The active session `id` of the tenant with the agent's current role, in one read: only while
   * the session is active and unexpired, the tenant active, the user active, still an agent of the
   * tenant and with no cut-off since sign-in (the same `token_epoch` rule as the user's own tokens).
   * This is what makes a removed agent's, a disabled tenant's or a logged-out user's tokens stop at once.
   */
  async findLive(tenantId: string, id: string, now: Date): Promise<LiveTenantSession | undefined> {
    const row = await this.db.first<LiveRow>(sql`
      SELECT s.id AS id, s.user_id AS user_id, t.slug AS slug, m.role AS role, u.role AS global_role,
             s.expires_at AS expires_at
      FROM tenant_sessions s
      JOIN tenants t ON t.id = s.tenant_id
      JOIN tenant_members m ON m.tenant_id = s.tenant_id AND m.user_id = s.user_id
      JOIN users u ON u.id = s.user_id
      WHERE s.tenant_id = ${tenantId} AND s.id = ${id} AND s.state = 'active'
        AND s.expires_at > ${now.getTime()} AND t.status = 'active' AND u.status = 'active'
        AND s.token_epoch = u.token_epoch`);
    return (
      row && {
        sessionId: row.id,
        userId: row.user_id,
        tenantSlug: row.slug,
        role: row.role,
        globalRole: row.global_role,
        expiresAt: new Date(Number(row.expires_at)),
      }
    );
  }

  /**
   * Ends the agent's live sessions in the tenant once they hold no role there (a statement for
   * `db.atomic`, after the removal): a removal the same unit refused (the last admin, a role above
   * the caller's) leaves their sessions alone.
   */
  endForAgentStatement(tenantId: string, userId: string, reason: string, now: Date): SQL {
    return sql`
      UPDATE tenant_sessions SET state = 'ended', ended_at = ${now.getTime()}, ended_reason = ${reason}
      WHERE tenant_id = ${tenantId} AND user_id = ${userId} AND state <> 'ended'
        AND NOT EXISTS (
          SELECT 1 FROM tenant_members m WHERE m.tenant_id = ${tenantId} AND m.user_id = ${userId})`;
  }

  /** Ends every live session of the tenant (a statement for `db.atomic`). */
  endForTenantStatement(tenantId: string, reason: string, now: Date): SQL {
    return sql`
      UPDATE tenant_sessions SET state = 'ended', ended_at = ${now.getTime()}, ended_reason = ${reason}
      WHERE tenant_id = ${tenantId} AND state <> 'ended'`;
  }
}
