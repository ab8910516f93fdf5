import type { AppError } from "../../platform/errors";

/**
 * Portuguese for the refusals the services explain in English, matched on the start of the
 * service's detail (the rule's own words), so the console says exactly which rule refused.
 */
const DETAILS: Array<[RegExp, string]> = [
  [/^Nobody changes their own role/, "Ninguém muda o próprio papel."],
  [/^This user's role is above yours/, "O papel deste usuário está acima do seu."],
  [/^Nobody grants a role above their own/, "Ninguém concede um papel acima do próprio."],
  [/^This is the last active root/, "Este é o último root ativo: torne outra pessoa root antes."],
  [/^A gestor can only revoke invites they created/, "Um gestor só revoga os convites que criou."],
  [/^A \w+ cannot invite to the/, "Seu papel não permite convidar para este perfil."],
  [
    /^You can only invite into an organisation/,
    "Você só pode convidar para uma organização da qual faz parte.",
  ],
  [/^organizacao is required: you belong to no/, "Você não pertence a nenhuma organização: informe uma."],
  [/^organizacao is required/, "Você pertence a várias organizações: informe qual."],
  [/^organizacao no organisation/, "Nenhuma organização tem este identificador."],
  [/^data_expiracao must be in the future/, "A data de expiração deve estar no futuro."],
  [/^data_expiracao must be at most/, "A data de expiração deve estar a no máximo 365 dias."],
  [/^The invite has expired/, "O convite já expirou."],
  [/^The invite is usado/, "O convite já foi usado: não pode ser revogado."],
  [/^The invite is revogado/, "O convite já estava revogado."],
  [/^The account is disabled/, "A conta está desativada."],
  [/^A tenant with this slug exists/, "Já existe uma organização com este identificador."],
  [/^This agent's role \(\w+\) is above yours/, "O papel deste agente na organização está acima do seu."],
  [
    /^The tenant's last admin cannot be demoted/,
    "Este é o último admin da organização: promova outra pessoa antes.",
  ],
  [
    /^The tenant's last admin cannot be removed/,
    "Este é o último admin da organização: promova outra pessoa antes.",
  ],
  [/^No user with this id/, "Nenhum usuário tem este id."],
  [/^This user has no role in this tenant/, "Este usuário não tem papel nesta organização."],
  [/^Managing a tenant's roles needs/, "Gerir os papéis de uma organização exige ser gestor ou admin nela."],
  [/^Webhooks are off/, "Os webhooks estão desligados (TOKENS_WEBHOOK_URL não está definido)."],
  [/^The event is /, "Só um evento com falha pode ser reenviado."],
];

const BY_CODE: Partial<Record<string, string>> = {
  VALIDATION_FAILED: "Preencha corretamente os campos indicados.",
  FORBIDDEN: "Você não tem permissão para isto.",
  NOT_FOUND: "Não encontrado (ou fora do seu alcance).",
  CONFLICT: "O estado mudou enquanto isso: recarregue a página.",
  GONE: "Já expirou.",
  DEPENDENCY_UNAVAILABLE: "Um serviço necessário não respondeu. Tente de novo em instantes.",
};

/** What the console says when a service refuses with `error`; undefined lets it propagate (500). */
export function consoleMessage(error: AppError): string | undefined {
  if (error.code === "RATE_LIMITED") {
    return `Limite atingido. Tente de novo em ${error.headers["retry-after"] ?? "alguns"} segundos.`;
  }
  for (const [pattern, text] of DETAILS) if (pattern.test(error.message)) return text;
  if (error.code === "VALIDATION_FAILED" && error.errors?.length)
    return `${BY_CODE.VALIDATION_FAILED} ${fieldList(error)}`;
  return BY_CODE[error.code];
}

/** The problem's field errors as the API words them (`slug: must be …`), without the `form.` prefix. */
function fieldList(error: AppError): string {
  const fields = (error.errors ?? []).map(
    ({ field, message }) => `${field.replace(/^form\./, "")}: ${message}`,
  );
  return `(${fields.join("; ")})`;
}
