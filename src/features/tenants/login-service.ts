import { AppError } from "../../platform/errors";
import { newId } from "../../platform/ids";
import { generateSecret, hashSecret } from "../../platform/secrets";
import type { Shared } from "../../shared";
import { normalizePassword } from "../accounts/password-policy";
import type { DummyPasswordHashes } from "../accounts/sessions/dummy-hash";
import type { EmailedCodeService } from "../two-factor/emailed-codes";
import type { FactorMethod } from "../two-factor/failures";
import type { SecondFactorVerifier } from "../two-factor/second-factor-verifier";
import type { User } from "../users/user";
import type { AgentRepository } from "./agent-repository";
import { tenantLabel } from "./metric-labels";
import type { TenantRecord, TenantRole } from "./repository";
import type { TenantSession, TenantSessionRepository } from "./session-repository";
import type { TenantTokenClaims } from "./tenant-token";

/** A pending session waits this long at most for its second factor. */
export const PENDING_SESSION_SECONDS = 300;

/** What the tenant login services are built from. */
export type TenantLoginDeps = Pick<
  Shared,
  "config" | "users" | "tenants" | "passwords" | "audit" | "metrics" | "clock" | "random" | "jwt" | "client"
> & {
  agents: Pick<AgentRepository, "find">;
  sessions: TenantSessionRepository;
  verifier: Pick<SecondFactorVerifier, "enabledMethod" | "verifyAs">;
  emailedCodes: Pick<EmailedCodeService, "send">;
  /** The same dummy hashes as `/auth/login`: an unknown e-mail costs what a real account costs. */
  dummyHashes: Pick<DummyPasswordHashes, "for">;
};

/** The answer of login and mfa/verify (seed 004's `TenantLoginResponse`). */
export interface TenantLoginResult {
  sessionId: string;
  agentId: string;
  mfaRequired: boolean;
  expiresAt: Date;
  /** Seconds from now until `expiresAt`. */
  expiresIn: number;
  sessionTimeoutSeconds: number;
  /** Only once the session is active. */
  accessToken?: string;
}

/** The one answer to every failed password step, whatever the reason. */
const refused = () => new AppError("INVALID_CREDENTIALS", "The e-mail or the password is wrong");
/** The one answer to an unusable session at mfa/verify. */
const noPendingSession = () =>
  new AppError("INVALID_CREDENTIALS", "No session of this tenant is waiting for a code; sign in again");

/**
 * Agent sign-in to one tenant. Unknown tenant, disabled tenant, unknown e-mail, wrong password,
 * disabled account and "not an agent here" all get the same 401 after exactly one Argon2id
 * verification (a dummy hash when there is no account); the audit row keeps the real reason.
 * Without a second factor the session is active at once and the answer carries a tenant access
 * token; with one (the agent's own 2FA, or the tenant's `mfa_required`) it is pending: no token,
 * 5 minutes, 5 wrong codes, usable only by `verifyMfa`, which runs the two-factor feature's own
 * verifier (same TOTP replay guard as the global login).
 */
export class TenantLoginService {
  constructor(private readonly deps: TenantLoginDeps) {}

  async login(slug: string, input: { email: string; password: string }): Promise<TenantLoginResult> {
    const { tenants, users, passwords, agents, verifier, emailedCodes, clock, dummyHashes } = this.deps;
    const [tenant, user] = await Promise.all([tenants.findBySlug(slug), users.findByLogin(input.email)]);
    const password = normalizePassword(input.password);
    const { valid, needsRehash } = passwords.verify(
      user?.passwordHash ?? (await dummyHashes.for(input.email)),
      password,
    );
    const agent = valid && user && tenant ? await agents.find(tenant.id, user.id) : undefined;
    const reason = !user
      ? "unknown_user"
      : !valid
        ? "bad_password"
        : user.status !== "active"
          ? "disabled_user"
          : !tenant
            ? "unknown_tenant"
            : tenant.status !== "active"
              ? "disabled_tenant"
              : !agent
                ? "not_agent"
                : undefined;
    if (reason || !user || !tenant || !agent) return this.refuse(slug, tenant, user, reason ?? "not_agent");
    if (needsRehash) await users.updatePasswordHash(user.id, passwords.hash(password), clock.now());
    const method = await verifier.enabledMethod(user.id);
    const mfaRequired = method !== null || tenant.mfaRequired;
    // An e-mailed code goes out before the session exists: a refused send (429) leaves nothing behind.
    if (mfaRequired && method !== "totp") await emailedCodes.send(user, "second_factor", null);
    return this.start(tenant, user, agent.role, mfaRequired);
  }

  /** Completes a pending session with a second factor of `method`; 401 for a session of another tenant. */
  async verifyMfa(
    slug: string,
    input: { sessionId: string; code: string; method: FactorMethod },
  ): Promise<TenantLoginResult> {
    const { tenants, users, sessions, agents, verifier, audit, metrics, clock, config } = this.deps;
    const now = clock.now();
    const tenant = await tenants.findBySlug(slug);
    const session =
      tenant?.status === "active"
        ? await sessions.findPending(tenant.id, await hashSecret(input.sessionId), now)
        : undefined;
    const user = session && (await users.findById(session.userId));
    const agent = tenant && user?.status === "active" ? await agents.find(tenant.id, user.id) : undefined;
    if (!tenant || !session || !user || !agent) {
      await audit.userEvent("tenant.mfa.verify", "failure", user ?? null, {
        reason: "no_pending_session",
        tenantId: tenant?.id ?? null,
      });
      throw noPendingSession();
    }
    try {
      await verifier.verifyAs(user, input.method, input.code, "login");
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== "INVALID_TWO_FACTOR_CODE") throw error;
      const left = (await sessions.recordFailure(tenant.id, session.id, now)) ?? 0;
      metrics.increment("tokens_tenant_mfa_failures_total", {
        tenant: tenantLabel(config, tenant.slug),
        method: input.method,
      });
      await audit.userEvent("tenant.mfa.verify", "failure", user, {
        reason: "wrong_code",
        tenantId: tenant.id,
        metadata: { sessionId: session.id, method: input.method, attemptsLeft: left },
      });
      throw new AppError(
        "INVALID_TWO_FACTOR_CODE",
        left > 0
          ? `${error.message}; ${left} ${left === 1 ? "try" : "tries"} left on this session`
          : "The code is wrong and the session has ended; sign in again",
      );
    }
    return this.activate(tenant, user, agent.role, session, input.sessionId);
  }

  private async start(
    tenant: TenantRecord,
    user: User,
    role: TenantRole,
    mfaRequired: boolean,
  ): Promise<TenantLoginResult> {
    const { sessions, audit, metrics, clock, random, client, config } = this.deps;
    const now = clock.now();
    const timeout = this.timeoutOf(tenant);
    const lifetime = mfaRequired ? Math.min(PENDING_SESSION_SECONDS, timeout) : timeout;
    const sessionId = generateSecret("tss", random);
    const session = {
      id: newId("session", clock, random),
      sessionHash: await hashSecret(sessionId),
      tenantId: tenant.id,
      userId: user.id,
      state: mfaRequired ? ("pending" as const) : ("active" as const),
      expiresAt: new Date(now.getTime() + lifetime * 1000),
      ip: client.ip,
      userAgent: client.userAgent,
      tokenEpoch: user.tokenEpoch,
      createdAt: now,
    };
    await sessions.insert(session);
    metrics.increment("tokens_tenant_logins_total", {
      tenant: tenantLabel(config, tenant.slug),
      result: mfaRequired ? "mfa_pending" : "success",
    });
    await audit.userEvent("tenant.login", "success", user, {
      reason: mfaRequired ? "mfa_pending" : undefined,
      tenantId: tenant.id,
      metadata: { sessionId: session.id },
    });
    const result = { sessionId, agentId: user.id, mfaRequired, expiresAt: session.expiresAt, timeout, now };
    if (mfaRequired) return this.result(result);
    return this.result({
      ...result,
      accessToken: await this.token(tenant, user, role, session.id, session.expiresAt),
    });
  }

  private async activate(
    tenant: TenantRecord,
    user: User,
    role: TenantRole,
    session: TenantSession,
    sessionId: string,
  ): Promise<TenantLoginResult> {
    const { sessions, audit, metrics, clock, config } = this.deps;
    const now = clock.now();
    const timeout = this.timeoutOf(tenant);
    // The session's time counts from login: the pending minutes are part of it.
    const expiresAt = new Date(session.createdAt.getTime() + timeout * 1000);
    if (expiresAt <= now || !(await sessions.activate(tenant.id, session.id, expiresAt, now))) {
      throw noPendingSession();
    }
    metrics.increment("tokens_tenant_logins_total", {
      tenant: tenantLabel(config, tenant.slug),
      result: "mfa_verified",
    });
    await audit.userEvent("tenant.mfa.verify", "success", user, {
      tenantId: tenant.id,
      metadata: { sessionId: session.id },
    });
    return this.result({
      sessionId,
      agentId: user.id,
      mfaRequired: false,
      expiresAt,
      timeout,
      now,
      accessToken: await this.token(tenant, user, role, session.id, expiresAt),
    });
  }

  private async refuse(
    slug: string,
    tenant: TenantRecord | undefined,
    user: User | undefined,
    reason: string,
  ): Promise<never> {
    const { audit, metrics, config } = this.deps;
    metrics.increment("tokens_auth_failures_total", { reason: "invalid_credentials" });
    metrics.increment("tokens_tenant_logins_total", {
      tenant: tenantLabel(config, tenant ? slug : undefined),
      result: "failure",
    });
    await audit.userEvent("tenant.login", "failure", user ?? null, {
      reason,
      tenantId: tenant?.id ?? null,
    });
    throw refused();
  }

  private timeoutOf(tenant: TenantRecord): number {
    return tenant.sessionTimeoutSeconds ?? this.deps.config.tenantSessionTimeout;
  }

  private token(
    tenant: TenantRecord,
    user: User,
    role: TenantRole,
    sessionId: string,
    expiresAt: Date,
  ): Promise<string> {
    const { jwt, clock } = this.deps;
    const claims: TenantTokenClaims = {
      sub: user.id,
      tenant: tenant.slug,
      tenant_id: tenant.id,
      role,
      sid: sessionId,
    };
    const ttl = Math.max(1, Math.floor((expiresAt.getTime() - clock.now().getTime()) / 1000));
    return jwt.sign("tenant", claims, ttl);
  }

  private result(input: {
    sessionId: string;
    agentId: string;
    mfaRequired: boolean;
    expiresAt: Date;
    timeout: number;
    now: Date;
    accessToken?: string;
  }): TenantLoginResult {
    return {
      sessionId: input.sessionId,
      agentId: input.agentId,
      mfaRequired: input.mfaRequired,
      expiresAt: input.expiresAt,
      expiresIn: Math.max(0, Math.floor((input.expiresAt.getTime() - input.now.getTime()) / 1000)),
      sessionTimeoutSeconds: input.timeout,
      accessToken: input.accessToken,
    };
  }
}
