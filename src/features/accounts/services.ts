import type { Shared } from "../../shared";
import { InitialAdmin } from "./initial-admin/service";
import { PasswordChangeService } from "./password-change/service";
import { PasswordResetService } from "./password-reset/service";
import { RegistrationService } from "./registration/service";
import type { SecondFactorCheck } from "./second-factor";
import { DummyPasswordHashes } from "./sessions/dummy-hash";
import { IntrospectionService } from "./sessions/introspection-service";
import { LoginService } from "./sessions/login-service";
import { ProfileService } from "./sessions/profile-service";
import { RefreshTokenRepository } from "./sessions/repository";
import { SessionService } from "./sessions/service";
import { TokenIssuer } from "./sessions/token-issuer";
import { SingleUseTokenRepository } from "./single-use-tokens/repository";
import { EmailVerificationService } from "./verification/service";

/** Accounts and sessions, as `services.accounts`. */
export interface AccountServices {
  registration: RegistrationService;
  login: LoginService;
  sessions: SessionService;
  profiles: ProfileService;
  introspection: IntrospectionService;
  passwordResets: PasswordResetService;
  passwordChanges: PasswordChangeService;
  verification: EmailVerificationService;
  initialAdmin: InitialAdmin;
}

/** What the account services are built from. */
export type AccountShared = Pick<
  Shared,
  | "config"
  | "db"
  | "logger"
  | "client"
  | "jwt"
  | "passwords"
  | "users"
  | "tenants"
  | "audit"
  | "metrics"
  | "email"
  | "background"
  | "clock"
  | "random"
  | "credentials"
>;

/**
 * Wires the account services. `secondFactor` is the login step after the password: the
 * two-factor feature provides it (`services.twoFactor.verifier`).
 */
export function createAccountServices(
  shared: AccountShared,
  secondFactor: SecondFactorCheck,
): AccountServices {
  const { config, db, jwt } = shared;
  const refreshTokens = new RefreshTokenRepository(db);
  const initialAdmin = new InitialAdmin(shared);
  const sessions = new SessionService({
    ...shared,
    issuer: new TokenIssuer(jwt, {
      access: config.jwt.accessTokenTtl,
      refresh: config.jwt.refreshTokenTtl,
      sessionMax: config.jwt.sessionMaxLifetime,
    }),
    refreshTokens,
    reuseGraceSeconds: config.refreshReuseGraceSeconds,
  });
  const verification = new EmailVerificationService({
    ...shared,
    tokens: new SingleUseTokenRepository(db, "verification_tokens"),
    ttlSeconds: config.verificationTokenTtl,
  });
  return {
    registration: new RegistrationService({ ...shared, sessions, verification, initialAdmin }),
    login: new LoginService({
      ...shared,
      sessions,
      secondFactor,
      initialAdmin,
      dummyHashes: new DummyPasswordHashes(shared),
    }),
    sessions,
    profiles: new ProfileService(shared),
    introspection: new IntrospectionService(jwt, shared.users, refreshTokens, shared.clock),
    passwordResets: new PasswordResetService({
      ...shared,
      resets: new SingleUseTokenRepository(db, "password_resets"),
      refreshTokens,
      initialAdmin,
      ttlSeconds: config.passwordResetTtl,
    }),
    passwordChanges: new PasswordChangeService({ ...shared, sessions, refreshTokens }),
    verification,
    initialAdmin,
  };
}
