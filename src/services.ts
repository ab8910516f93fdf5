import { type Config, loadConfig } from "./config";
import { createDatabase, type Database } from "./db";
import { AccountService } from "./features/accounts/account-service";
import { EmailVerificationService } from "./features/accounts/email-verification-service";
import { InitialAdmin } from "./features/accounts/initial-admin";
import { IntrospectionService } from "./features/accounts/introspection";
import { PasswordResetService } from "./features/accounts/password-reset-service";
import { RefreshTokenRepository } from "./features/accounts/refresh-token-repository";
import { noSecondFactor, type SecondFactorCheck } from "./features/accounts/second-factor";
import { SessionService } from "./features/accounts/session-service";
import { SingleUseTokenRepository } from "./features/accounts/single-use-token-repository";
import { TokenIssuer } from "./features/accounts/token-issuer";
import { AuditLogRepository } from "./features/audit/repository";
import { AuditService } from "./features/audit/service";
import type { EmailMessage, EmailOutbox } from "./features/email/message";
import { type OutboxTrace, QueueEmailOutbox } from "./features/email/outbox";
import { InstitutionRepository } from "./features/institutions/repository";
import { UserRepository } from "./features/users/repository";
import { BackgroundTasks } from "./platform/background";
import { type Clock, systemClock } from "./platform/clock";
import { JwtService } from "./platform/jwt";
import type { Logger } from "./platform/logger";
import { PasswordHasher } from "./platform/password";
import { cryptoRandom, type RandomSource } from "./platform/random";
import { traceContextFrom } from "./platform/trace";

/** What the platform injects: time and randomness. Tests replace them; production never does. */
export interface PlatformDeps {
  clock: Clock;
  random: RandomSource;
}

export const defaultPlatformDeps: PlatformDeps = { clock: systemClock, random: cryptoRandom };

/** Everything a request, a queue batch or a cron run works with, built fresh from `env`. */
export interface Services extends PlatformDeps {
  env: Env;
  config: Config;
  logger: Logger;
  db: Database;
  jwt: JwtService;
  passwords: PasswordHasher;
  users: UserRepository;
  /** Work that outlives the response; the request middleware waits for it before closing the database. */
  background: BackgroundTasks;
  audit: AuditService;
  email: EmailOutbox;
  institutions: InstitutionRepository;
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

/**
 * The one way services are built: per request by the `services` middleware, per batch by the queue
 * handler, per run by the cron handler. No module-level database or binding singletons. `trace`
 * is the request's (or the queue message's) identity that audit rows and queued e-mails carry; a
 * fresh one is made when there is none.
 */
export function createServices(
  env: Env,
  deps: PlatformDeps,
  logger: Logger,
  trace: OutboxTrace = traceContextFrom(new Headers(), deps.random),
): Services {
  const config = loadConfig(env);
  const db = createDatabase(env, config);
  const { clock, random } = deps;
  const jwt = new JwtService(
    {
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      privateKeyPem: config.jwt.privateKeyPem,
      previousPublicKeysPem: config.jwt.previousPublicKeysPem,
    },
    clock,
  );
  const passwords = new PasswordHasher(config.passwordHash, random);
  const users = new UserRepository(db);
  const background = new BackgroundTasks(logger);
  const audit = new AuditService(new AuditLogRepository(db), clock, random, trace.requestId);
  const email = new QueueEmailOutbox(env.EMAIL_QUEUE as Queue<EmailMessage>, trace, clock, random);
  const institutions = new InstitutionRepository(db, clock, random);
  const refreshTokens = new RefreshTokenRepository(db);
  const secondFactor = noSecondFactor;
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
    appBaseUrl: config.appBaseUrl,
  });
  return {
    ...deps,
    env,
    config,
    logger,
    db,
    jwt,
    passwords,
    users,
    background,
    audit,
    email,
    institutions,
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
      appBaseUrl: config.appBaseUrl,
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
      background,
      clock,
      random,
    }),
  };
}
