/** Global roles, highest first (seed 001): root > admin > gestor > usuario. */
export const ROLES = ["root", "admin", "gestor", "usuario"] as const;
export type Role = (typeof ROLES)[number];

export const USER_STATUSES = ["active", "disabled"] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export interface User {
  id: string;
  username: string;
  email: string;
  passwordHash: string;
  name: string;
  role: Role;
  status: UserStatus;
  emailVerifiedAt: Date | null;
  /** When the user's sessions were last cut off (reset, logout everywhere, password change). */
  tokensValidAfter: Date | null;
  /**
   * Advanced by every cut-off. Tokens carry the epoch they were issued under (`token_epoch`) and
   * are refused once it moved on: exact, unlike a time comparison with whole-second `iat`s.
   */
  tokenEpoch: number;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * The form used for uniqueness and login lookups: trimmed, Unicode NFKC, lower case. Stored beside
 * the original so `Alice` and `alice` are one account on D1 and PostgreSQL alike.
 */
export function normalizeIdentifier(value: string): string {
  return value.trim().normalize("NFKC").toLowerCase();
}
