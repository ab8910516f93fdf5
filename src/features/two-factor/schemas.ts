import { z } from "@hono/zod-openapi";
import { RECOVERY_CODE_COUNT } from "./codes";
import { CODE_PURPOSES } from "./emailed-codes";

/** Request and response schemas shared by the two-factor routes (they also document the API). */

/**
 * A second factor as typed: a 6-digit TOTP or e-mailed code, or a recovery code (`xxxxx-xxxxx`,
 * case, spaces and hyphens ignored). Surrounding whitespace is ignored; anything else that is not
 * one of these is refused like a wrong code (never a 500).
 */
export const SecondFactorCodeSchema = z
  .string()
  .trim()
  .min(1, "is required")
  .max(64, "must be at most 64 characters")
  .openapi({
    description: "The authenticator app's current 6-digit code, the latest e-mailed code, or a recovery code",
    example: "492039",
  });

/** Recovery codes as shown once: 10 codes of 10 Crockford base32 characters, `xxxxx-xxxxx`. */
export const RecoveryCodesSchema = z
  .array(z.string().openapi({ example: "7kq2m-xv9dp" }))
  .length(RECOVERY_CODE_COUNT)
  .openapi({
    description:
      "Single-use codes that stand in for the second factor; shown only in this response, stored as keyed digests",
  });

/** A two-factor method on the wire. */
export const TwoFactorMethodSchema = z.enum(["totp", "email"]).openapi({
  description: "`totp`: an authenticator app (RFC 6238); `email`: a 6-digit code e-mailed at each sign-in",
});

/** What an e-mailed code is for, `confirmation` unless told. */
export const CodePurposeSchema = z.enum(CODE_PURPOSES).default("confirmation").openapi({
  description:
    "`confirmation` (default): confirmed with POST /tokens/validar-codigo/. `second_factor`: the e-mail second factor (login's `twoFactorCode`, enabling or disabling e-mail two-factor)",
});

/** A user id in a body: who the code is for when an admin acts on a user's behalf. */
export const TargetUserIdSchema = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(64, "must be at most 64 characters")
  .optional()
  .openapi({
    description: "Another user's id (admin and root only, to help a user); default: the caller",
    example: "usr_01kaq3w7d0b5x4w8m2c9e6f1gh",
  });
