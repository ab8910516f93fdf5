import { z } from "@hono/zod-openapi";
import { isSafeDisplayText } from "../../platform/display-text";
import { ROLES } from "../users/user";
import {
  newPasswordProblem,
  PASSWORD_MAX_BYTES,
  PASSWORD_MAX_CHARS,
  PASSWORD_MIN_CHARS,
  passwordSizeProblem,
} from "./password-policy";

/** Request and response schemas shared by the account routes (they also document the API). */

const USERNAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;

export const UsernameSchema = z
  .string()
  .trim()
  .min(3, "must be at least 3 characters")
  .max(32, "must be at most 32 characters")
  .regex(
    USERNAME_PATTERN,
    "may contain only letters, digits, '.', '_' and '-', starting and ending with a letter or digit",
  )
  .openapi({ example: "maria.silva" });

/** A person's display name (the token's `user_name`): one line of ordinary text. */
export const DisplayNameSchema = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(100, "must be at most 100 characters")
  .refine(isSafeDisplayText, {
    message: "must be one line without control characters",
  })
  .openapi({
    description:
      "Display name (the token's `user_name`): 1–100 characters on one line, no control characters",
    example: "Maria Silva",
  });

export const EmailSchema = z
  .string()
  .trim()
  .max(254, "must be at most 254 characters")
  .regex(z.regexes.email, "must be a valid e-mail address")
  .openapi({ format: "email", example: "maria@example.com" });

/** A password being set: the full policy (see password-policy.ts). */
export const NewPasswordSchema = z
  .string()
  .superRefine((value, ctx) => {
    const problem = newPasswordProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .openapi({
    minLength: PASSWORD_MIN_CHARS,
    maxLength: PASSWORD_MAX_CHARS,
    description: `${PASSWORD_MIN_CHARS}–${PASSWORD_MAX_CHARS} characters of any Unicode (at most ${PASSWORD_MAX_BYTES} UTF-8 bytes); no composition rules; common passwords and the account's own username or e-mail are refused`,
    example: "correct horse battery staple",
  });

/** A password being checked: only the size cap, so old passwords keep working. */
export const SubmittedPasswordSchema = z
  .string()
  .min(1, "is required")
  .superRefine((value, ctx) => {
    const problem = passwordSizeProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .openapi({
    description: `At most ${PASSWORD_MAX_BYTES} UTF-8 bytes`,
    example: "correct horse battery staple",
  });

export const SecretTokenSchema = z.string().min(1, "is required").max(200, "is too long");

export const TokenPairSchema = z
  .object({
    accessToken: z.string().openapi({ description: "RS256 JWT (`typ: at+jwt`) for `Authorization: Bearer`" }),
    refreshToken: z.string().openapi({
      description: "RS256 JWT (`typ: rt+jwt`); single use: each refresh returns a new one",
    }),
    tokenType: z.literal("Bearer"),
    expiresIn: z.number().int().openapi({ description: "Access token lifetime in seconds", example: 900 }),
    refreshExpiresIn: z
      .number()
      .int()
      .openapi({ description: "Refresh token lifetime in seconds", example: 1_209_600 }),
  })
  .openapi("TokenPair");

export const UserProfileSchema = z
  .object({
    id: z.string().openapi({ example: "usr_01kaq3w7d0b5x4w8m2c9e6f1gh" }),
    username: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    roles: z.array(z.enum(ROLES)).openapi({ description: "The global role as a list, as in the token" }),
    institutions: z.array(z.string()).openapi({ example: ["default"] }),
    emailVerified: z.boolean(),
    emailVerifiedAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .openapi("UserProfile");

export const AcceptedSchema = z
  .object({ message: z.string() })
  .openapi("Accepted", { example: { message: "If an account matches, an e-mail is on its way." } });

/** A JWT in a request body (access or refresh token). */
export const JwtSchema = z
  .string()
  .min(1, "is required")
  .max(8192, "is too long")
  .openapi({ example: "eyJhbGciOiJSUzI1NiIsImtpZCI6Ii4uLiIsInR5cCI6InJ0K2p3dCJ9…" });
