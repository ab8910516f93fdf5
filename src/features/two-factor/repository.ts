import { sql } from "drizzle-orm";
import type { Database } from "../../db";
import { dateOrNull } from "../../db/time";
import type { Sealed } from "../../platform/secret-box";
import { hashList } from "./hash-list";
import { notLockedOut } from "./lockout-repository";

/** How the user proves the second factor: an authenticator app, or a code sent by e-mail. */
export type TwoFactorMethod = "totp" | "email";

/** A user's two-factor row. Secrets stay sealed here; `SecretBox` opens them in the service. */
export interface TwoFactorRecord {
  userId: string;
  /** The active TOTP secret, null until a pending secret is enabled. */
  secret: Sealed | null;
  /** A secret from setup still waiting for its first code. */
  pendingSecret: Sealed | null;
  pendingCreatedAt: Date | null;
  /** Null means two-factor is off. */
  enabledAt: Date | null;
  method: TwoFactorMethod;
  /** The last TOTP time step accepted; that step and earlier ones are refused. */
  lastUsedStep: number | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A recovery code about to be stored: its id and the hash of its normalized form. */
export interface NewRecoveryCode {
  id: string;
  codeHash: string;
}

interface TwoFactorRow {
  user_id: string;
  secret_ciphertext: string | null;
  secret_key_id: string | null;
  pending_secret_ciphertext: string | null;
  pending_secret_key_id: string | null;
  pending_created_at: number | null;
  enabled_at: number | null;
  method: TwoFactorMethod;
  last_used_step: number | null;
  created_at: number;
  updated_at: number;
}

const COLUMNS = sql.raw(
  "user_id, secret_ciphertext, secret_key_id, pending_secret_ciphertext, pending_secret_key_id, pending_created_at, enabled_at, method, last_used_step, created_at, updated_at",
);

function sealedOrNull(ciphertext: string | null, keyId: string | null): Sealed | null {
  return ciphertext === null || keyId === null ? null : { keyId, ciphertext };
}

function toRecord(row: TwoFactorRow): TwoFactorRecord {
  return {
    userId: row.user_id,
    secret: sealedOrNull(row.secret_ciphertext, row.secret_key_id),
    pendingSecret: sealedOrNull(row.pending_secret_ciphertext, row.pending_secret_key_id),
    pendingCreatedAt: dateOrNull(row.pending_created_at),
    enabledAt: dateOrNull(row.enabled_at),
    method: row.method,
    lastUsedStep: row.last_used_step,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

/**
 * Two-factor state and recovery codes on D1 or PostgreSQL. Every rule that must hold under
 * concurrent requests (enable once, accept a TOTP step once, use a recovery code once) is one
 * conditional statement, never a read followed by a write.
 */
export class TwoFactorRepository {
  constructor(private readonly db: Database) {}

  /** The user's two-factor row, or undefined when the user never started setup. */
  async findByUser(userId: string): Promise<TwoFactorRecord | undefined> {
    const row = await this.db.first<TwoFactorRow>(
      sql`SELECT ${COLUMNS} FROM two_factor WHERE user_id = ${userId}`,
    );
    return row && toRecord(row);
  }

  /**
   * Stores `secret` as the user's pending secret, replacing any earlier pending one. An active
   * secret stays active until the pending one is enabled.
   */
  async savePendingSecret(userId: string, secret: Sealed, at: Date): Promise<void> {
    const ms = at.getTime();
    await this.db.run(sql`
      INSERT INTO two_factor (user_id, pending_secret_ciphertext, pending_secret_key_id, pending_created_at, created_at, updated_at)
      VALUES (${userId}, ${secret.ciphertext}, ${secret.keyId}, ${ms}, ${ms}, ${ms})
      ON CONFLICT (user_id) DO UPDATE SET
        pending_secret_ciphertext = excluded.pending_secret_ciphertext,
        pending_secret_key_id = excluded.pending_secret_key_id,
        pending_created_at = excluded.pending_created_at,
        updated_at = excluded.updated_at`);
  }

  /**
   * Makes the pending secret the active one and turns TOTP on, only if the pending secret is still
   * `pendingCiphertext` (the one the confirming code was checked against: a setup racing in
   * between must not get enabled unconfirmed). `acceptedStep` is the confirming code's step, so it
   * cannot be replayed at login. Returns whether this call enabled it.
   */
  async enable(userId: string, pendingCiphertext: string, acceptedStep: number, at: Date): Promise<boolean> {
    const ms = at.getTime();
    const changed = await this.db.run(sql`
      UPDATE two_factor SET
        secret_ciphertext = pending_secret_ciphertext, secret_key_id = pending_secret_key_id,
        pending_secret_ciphertext = NULL, pending_secret_key_id = NULL, pending_created_at = NULL,
        enabled_at = ${ms}, method = 'totp', last_used_step = ${acceptedStep}, updated_at = ${ms}
      WHERE user_id = ${userId} AND pending_secret_ciphertext = ${pendingCiphertext}`);
    return changed === 1;
  }

  /**
   * Turns on two-factor by e-mailed codes (no secret), only if two-factor is off: the caller has
   * just proved they receive the account's e-mail. A pending TOTP secret is dropped. Returns
   * whether this call enabled it.
   */
  async enableEmail(userId: string, at: Date): Promise<boolean> {
    const ms = at.getTime();
    const changed = await this.db.run(sql`
      INSERT INTO two_factor (user_id, enabled_at, method, created_at, updated_at)
      VALUES (${userId}, ${ms}, 'email', ${ms}, ${ms})
      ON CONFLICT (user_id) DO UPDATE SET
        secret_ciphertext = NULL, secret_key_id = NULL,
        pending_secret_ciphertext = NULL, pending_secret_key_id = NULL, pending_created_at = NULL,
        enabled_at = excluded.enabled_at, method = 'email', last_used_step = NULL,
        updated_at = excluded.updated_at
      WHERE two_factor.enabled_at IS NULL`);
    return changed === 1;
  }

  /** Turns two-factor off: deletes the row and every recovery code together. Returns whether it was there. */
  async disable(userId: string): Promise<boolean> {
    const [, deleted] = await this.db.atomic([
      sql`DELETE FROM recovery_codes WHERE user_id = ${userId}`,
      sql`DELETE FROM two_factor WHERE user_id = ${userId} RETURNING user_id`,
    ]);
    return deleted?.length === 1;
  }

  /**
   * Records `step` as the last accepted TOTP step if it is later than the stored one and the user
   * is not locked out at `now`: one compare-and-set, so of concurrent logins with the same code
   * exactly one gets true.
   */
  async acceptStep(userId: string, step: number, now: Date): Promise<boolean> {
    const changed = await this.db.run(sql`
      UPDATE two_factor SET last_used_step = ${step}
      WHERE user_id = ${userId} AND (last_used_step IS NULL OR last_used_step < ${step})
        AND ${notLockedOut(userId, now)}`);
    return changed === 1;
  }

  /** Replaces the user's recovery codes with `codes` (old set deleted) all-or-nothing. */
  async replaceRecoveryCodes(userId: string, codes: NewRecoveryCode[], at: Date): Promise<void> {
    // One INSERT per code: a multi-row VALUES would hit D1's 100-parameter limit for large sets.
    await this.db.atomic([
      sql`DELETE FROM recovery_codes WHERE user_id = ${userId}`,
      ...codes.map(
        (code) => sql`
          INSERT INTO recovery_codes (id, user_id, code_hash, created_at)
          VALUES (${code.id}, ${userId}, ${code.codeHash}, ${at.getTime()})`,
      ),
    ]);
  }

  /**
   * Uses the user's unused recovery code with this hash (or any of these: the digests of one typed
   * code under each configured key), unless the user is locked out at `at`; true for exactly one caller.
   */
  async useRecoveryCode(userId: string, codeHash: string | readonly string[], at: Date): Promise<boolean> {
    const changed = await this.db.run(sql`
      UPDATE recovery_codes SET used_at = ${at.getTime()}
      WHERE user_id = ${userId} AND code_hash IN (${hashList(codeHash)}) AND used_at IS NULL
        AND ${notLockedOut(userId, at)}`);
    return changed === 1;
  }

  /** How many of the user's recovery codes are still unused. */
  async countUnusedRecoveryCodes(userId: string): Promise<number> {
    const row = await this.db.first<{ unused: number }>(
      sql`SELECT COUNT(*) AS unused FROM recovery_codes WHERE user_id = ${userId} AND used_at IS NULL`,
    );
    return Number(row?.unused ?? 0);
  }
}
