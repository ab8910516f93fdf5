import type { Config } from "../../config";
import type { Agent } from "./agent-repository";
import type { TenantLoginResult } from "./login-service";
import type { TenantRecord } from "./repository";

/** A tenant as the API shows it, with its effective session timeout. */
export function tenantView(tenant: TenantRecord, config: Pick<Config, "tenantSessionTimeout">) {
  return {
    id: tenant.id,
    slug: tenant.slug,
    name: tenant.name,
    status: tenant.status,
    session_timeout_seconds: tenant.sessionTimeoutSeconds ?? config.tenantSessionTimeout,
    session_timeout_is_default: tenant.sessionTimeoutSeconds === null,
    mfa_required: tenant.mfaRequired,
    created_at: tenant.createdAt.toISOString(),
    updated_at: tenant.updatedAt?.toISOString() ?? null,
  };
}

/** Seed 004's `TenantLoginResponse`. */
export function loginView(result: TenantLoginResult) {
  return {
    session_id: result.sessionId,
    agent_id: result.agentId,
    mfa_required: result.mfaRequired,
    expires_at: result.expiresAt.toISOString(),
    expires_in: result.expiresIn,
    session_timeout_seconds: result.sessionTimeoutSeconds,
    ...(result.accessToken ? { access_token: result.accessToken, token_type: "Bearer" as const } : {}),
  };
}

/** Seed 004's `RoleAssignmentRead`. */
export function agentView(agent: Agent) {
  return { agent_id: agent.agentId, agent_email: agent.email, role: agent.role };
}
