import type { AppError } from "../../../platform/errors";

/** What the page says (in Portuguese) when an action fails with `error`; undefined to let it propagate. */
export function pageMessage(error: AppError, action: string): string | undefined {
  switch (error.code) {
    case "INVALID_CREDENTIALS":
      return "Usuário, e-mail ou senha incorretos.";
    case "INVALID_TWO_FACTOR_CODE":
    case "CODE_REJECTED":
      return /already used/.test(error.message)
        ? "Este código já foi usado. Aguarde o próximo código do aplicativo."
        : "Código incorreto. Confira o código no aplicativo (ou use um código de recuperação) e tente de novo.";
    case "RATE_LIMITED":
      return `Muitas tentativas. Aguarde ${error.headers["retry-after"] ?? "alguns"} segundos e tente de novo.`;
    case "VALIDATION_FAILED":
      return action === "desativar" ? "Senha incorreta." : "Preencha os campos indicados.";
    case "CONFLICT":
      return action === "ativar" || action === "configurar"
        ? "A verificação em duas etapas já está ativa ou a configuração mudou. Recarregue a página."
        : "A verificação em duas etapas não está ativa.";
    default:
      return undefined;
  }
}

/** Notices shown after a redirect, by their `aviso` query value (nothing else is ever echoed). */
export const NOTICES: Record<string, string> = {
  desativada: "A verificação em duas etapas foi desativada.",
  saiu: "Você saiu. Para continuar, entre de novo.",
  expirada: "Sua sessão nesta página terminou. Entre de novo.",
};
