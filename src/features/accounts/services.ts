import type { Config } from "../../config";
import type { Database } from "../../db";
import type { BackgroundTasks } from "../../platform/background";
import type { Clock } from "../../platform/clock";
import type { JwtService } from "../../platform/jwt";
import type { Logger } from "../../platform/logger";
import type { PasswordHasher } from "../../platform/password";
import type { RandomSource } from "../../platform/random";
import type { AuditService } from "../audit/service";
import type { EmailOutbox } from "../email/message";
import type { MetricsRecorder } from "../metrics/recorder";
import type { InstitutionRepository } from "../tenants/repository";
import type { UserRepository } from "../users/repository";
import { InitialAdmin } from "./initial-admin/service";
import { PasswordResetService } from "./password-reset/service";
import { noSecondFactor, type SecondFactorCheck } from "./second-factor";
import { IntrospectionService } from "./sessions/introspection-service";
import { AccountService } from "./sessions/login-service";
import { RefreshTokenRepository } from "./sessions/repository";
import { SessionService } from "./sessions/service";
import { TokenIssuer } from "./sessions/token-issuer";
import { SingleUseTokenRepository } from "./single-use-tokens/repository";
import { EmailVerificationService } from "./verification/service";

/** The account and session services, as they appear on `Services`. */
export interface AccountServices {
  refreshTokens: RefreshTokenRepository;
  /** The login step the two-factor feature fills in; by default no user has a second factor. */
  secondFactor: SecondFactorCheck;
  initialAdmin: InitialAdmin;
  sessions: SessionService;
  introspection: IntrospectionService;
  verification: EmailVerificationService;
  passwordResets: PasswordResetService;
  accounts: AccountService;
}

/** What the account services are built from: the shared services of the request. */
export interface AccountServiceDeps {
  config: Config;
  db: Database;
  logger: Logger;
  jwt: JwtService;
  passwords: PasswordHasher;
  users: UserRepository;
  institutions: InstitutionRepository;
  audit: AuditService;
  metrics: MetricsRecorder;
  email: EmailOutbox;
  background: BackgroundTasks;
  clock: Clock;
  random: RandomSource;
  secondFactor?: SecondFactorCheck;
}

/** Wires the account services; called by `createServices` only. */
export function createAccountServices(deps: AccountServiceDeps): AccountServices {
  const {
    config,
    db,
    logger,
    jwt,
    passwords,
    users,
    institutions,
    audit,
    metrics,
    email,
    background,
    clock,
    random,
  } = deps;
  const secondFactor = deps.secondFactor ?? noSecondFactor;
  const refreshTokens = new RefreshTokenRepository(db);
  const initialAdmin = new InitialAdmin({
    config,
    db,
    users,
    institutions,
    passwords,
    audit,
    clock,
    random,
    logger,
  });
  const sessions = new SessionService({
    db,
    jwt,
    issuer: new TokenIssuer(jwt, institutions, {
      access: config.jwt.accessTokenTtl,
      refresh: config.jwt.refreshTokenTtl,
    }),
    users,
    refreshTokens,
    audit,
    clock,
    random,
    logger,
    metrics,
    reuseGraceSeconds: config.refreshReuseGraceSeconds,
  });
  const verification = new EmailVerificationService({
    users,
    tokens: new SingleUseTokenRepository(db, "verification_tokens"),
    email,
    audit,
    background,
    clock,
    random,
    ttlSeconds: config.verificationTokenTtl,
  });
  return {
    refreshTokens,
    secondFactor,
    initialAdmin,
    sessions,
    introspection: new IntrospectionService(jwt, users, refreshTokens, clock),
    verification,
    passwordResets: new PasswordResetService({
      db,
      users,
      resets: new SingleUseTokenRepository(db, "password_resets"),
      refreshTokens,
      passwords,
      email,
      audit,
      initialAdmin,
      background,
      clock,
      random,
      ttlSeconds: config.passwordResetTtl,
    }),
    accounts: new AccountService({
      users,
      institutions,
      passwords,
      sessions,
      verification,
      secondFactor,
      initialAdmin,
      audit,
      metrics,
      background,
      clock,
      random,
    }),
  };
}
