import type { User } from "../users/user";

/**
 * The login step after the password matched. The two-factor feature implements it
 * (`SecondFactorVerifier`: TOTP, e-mailed codes, recovery codes).
 */
export interface SecondFactorCheck {
  /**
   * Resolves when `user` needs no second factor or `code` satisfies it; otherwise throws an
   * `AppError` (login audits the failure and passes the error on unchanged).
   */
  check(user: User, code: string | undefined): Promise<void>;
}
