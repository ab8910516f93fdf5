import type { ApiToken } from "./api-token";
import { isApiTokenActive } from "./api-token";

/** A token as the API shows it (seed 003's snake_case), with its state at `at`; never the hash. */
export interface ApiTokenView {
  id: string;
  user_id: string;
  nome: string;
  descricao: string | null;
  scope: ApiToken["scope"];
  permissions: string[] | null;
  allowed_ips: string[] | null;
  rate_limit: string | null;
  token_start: string;
  status: "active" | "expired" | "revoked";
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
  revoked_reason: ApiToken["revokedReason"];
}

/** The wire form of `token`, its `status` as of `at`. */
export function apiTokenView(token: ApiToken, at: Date): ApiTokenView {
  return {
    id: token.id,
    user_id: token.userId,
    nome: token.nome,
    descricao: token.descricao,
    scope: token.scope,
    permissions: token.permissions,
    allowed_ips: token.allowedIps,
    rate_limit: token.rateLimit,
    token_start: token.tokenStart,
    status: token.revokedAt ? "revoked" : isApiTokenActive(token, at) ? "active" : "expired",
    created_at: token.createdAt.toISOString(),
    expires_at: token.expiresAt?.toISOString() ?? null,
    last_used_at: token.lastUsedAt?.toISOString() ?? null,
    revoked_at: token.revokedAt?.toISOString() ?? null,
    revoked_by: token.revokedBy,
    revoked_reason: token.revokedReason,
  };
}
