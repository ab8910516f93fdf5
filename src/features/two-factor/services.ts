import { AppError } from "../../platform/errors";
import type { Shared } from "../../shared";
import type { Principal } from "../authorization/principal";
import type { User } from "../users/user";
import { codeHashers } from "./code-hashing";
import { TwoFactorCodeRepository } from "./code-repository";
import { EmailedCodeService } from "./emailed-codes";
import { EnrolmentService } from "./enrolment";
import { TwoFactorFailures } from "./failures";
import { TwoFactorLockoutRepository } from "./lockout-repository";
import { TwoFactorRepository } from "./repository";
import { SecondFactorVerifier } from "./second-factor-verifier";

/** Two-factor, as `services.twoFactor`. */
export interface TwoFactorServices {
  enrolment: EnrolmentService;
  /** The login's `SecondFactorCheck`, and the check behind every route that asks for a code. */
  verifier: SecondFactorVerifier;
  /** `/tokens/gerar-codigo/` and `/tokens/validar-codigo/`. */
  emailedCodes: EmailedCodeService;
  /** The signed-in user behind a principal (read again unless authentication already did). */
  userOf(principal: Principal): Promise<User>;
}

/** What the two-factor services are built from. */
export type TwoFactorShared = Pick<
  Shared,
  | "config"
  | "db"
  | "logger"
  | "clock"
  | "random"
  | "users"
  | "passwords"
  | "audit"
  | "metrics"
  | "email"
  | "background"
  | "rateLimiter"
  | "secretBoxes"
>;

/** Wires the two-factor services; `verifier` is what the composition root hands to the login. */
export function createTwoFactorServices(shared: TwoFactorShared): TwoFactorServices {
  const twoFactor = new TwoFactorRepository(shared.db);
  const hashers = codeHashers(shared.config.encryption.data);
  const failures = new TwoFactorFailures({ ...shared, lockouts: new TwoFactorLockoutRepository(shared.db) });
  const emailedCodes = new EmailedCodeService({
    ...shared,
    codes: new TwoFactorCodeRepository(shared.db),
    hasher: hashers.emailed,
    failures,
  });
  const verifier = new SecondFactorVerifier({
    ...shared,
    twoFactor,
    emailedCodes,
    recoveryHasher: hashers.recovery,
    failures,
  });
  const enrolment = new EnrolmentService({
    ...shared,
    twoFactor,
    verifier,
    emailedCodes,
    failures,
    recoveryHasher: hashers.recovery,
  });
  return {
    enrolment,
    verifier,
    emailedCodes,
    async userOf(principal) {
      const user = principal.user ?? (await shared.users.findById(principal.userId));
      if (!user) throw new AppError("UNAUTHENTICATED", "The account behind this credential no longer exists");
      return user;
    },
  };
}
