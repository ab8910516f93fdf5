import { z } from "zod";
import { isSafeDisplayText } from "../../platform/display-text";
import type { EmailContent } from "./layout";
import type { EmailTemplate } from "./message";

/** Language of every e-mail (the product's users read Portuguese); the HTML part's `lang`. */
export const EMAIL_LANGUAGE = "pt-BR";

/** Where the web app opens the links of each template; the token follows in the URL fragment. */
export const EMAIL_LINK_PATHS = {
  "verify-email": "/verify-email",
  "password-reset": "/reset-password",
} as const;

// A greeting name that is not one short line of ordinary text is left out rather than failing the
// e-mail: the message still matters (a reset link), the name never does. Producers should never send
// one (names are checked at registration); this keeps forged lines out of mail whatever the data.
const name = z
  .string()
  .optional()
  .transform((value) => {
    const trimmed = value?.trim();
    return trimmed && trimmed.length <= 200 && isSafeDisplayText(trimmed) ? trimmed : undefined;
  });
const expiresInMinutes = z
  .string()
  .regex(/^[1-9][0-9]{0,5}$/)
  .transform(Number)
  .optional();
const token = z.string().regex(/^[\x21-\x7e]{1,512}$/, "must be printable ASCII without spaces");

const linkData = z.object({ token, name, expiresInMinutes });
const changeData = z.object({ changedAt: z.iso.datetime(), method: z.enum(["change", "reset"]), name });
const twoFactorChangeData = z.object({
  changedAt: z.iso.datetime(),
  change: z.enum(["enabled", "disabled", "recovery-codes"]),
  method: z.enum(["totp", "email"]),
  name,
});
const codeData = z.object({ code: z.string().regex(/^[0-9]{4,12}$/), name, expiresInMinutes });
const leakedTokenData = z.object({
  tokenName: z.string().trim().min(1).max(200),
  tokenStart: z.string().regex(/^[A-Za-z0-9_-]{1,20}$/),
  name,
});

export interface TemplateContext {
  appName: string;
  /** Base URL of the web app that opens the links. */
  baseUrl: string;
}

/**
 * A link into the web app carrying the token in the fragment (`#token=…`): browsers never send a
 * fragment to a server, so the token stays out of access logs, proxies and `Referer` headers.
 */
export function linkWithToken(baseUrl: string, path: string, secret: string): string {
  const url = new URL(baseUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}${path}`;
  url.search = "";
  url.hash = `token=${encodeURIComponent(secret)}`;
  return url.toString();
}

function greeting(person: string | undefined): string {
  return person ? `Olá, ${person}!` : "Olá!";
}

/** `23/11/2026 às 15:42 (UTC)`: the product's users read Brazilian dates; UTC says which clock. */
function dateTime(iso: string): string {
  const [date, time] = iso.split("T") as [string, string];
  const [year, month, day] = date.split("-");
  return `${day}/${month}/${year} às ${time.slice(0, 5)} (UTC)`;
}

function duration(minutes: number): string {
  if (minutes % 60 === 0) return minutes === 60 ? "1 hora" : `${minutes / 60} horas`;
  return minutes === 1 ? "1 minuto" : `${minutes} minutos`;
}

/**
 * The message's `data` does not fit its template (a missing token, a malformed code). Rendering is
 * deterministic, so retrying cannot help: the consumer treats the message as poison.
 */
export class EmailRenderError extends Error {
  /** Names of the offending `data` keys, never their values. */
  readonly fields: string[];
  constructor(fields: string[]) {
    super(`The message data does not fit its template (${fields.join(", ")})`);
    this.name = "EmailRenderError";
    this.fields = fields;
  }
}

type Template = (data: Record<string, string>, context: TemplateContext) => EmailContent;

/** Pairs a template's data schema with its content, so each builder sees its own typed data. */
function defineTemplate<Data>(
  schema: z.ZodType<Data, Record<string, string>>,
  build: (data: Data, context: TemplateContext) => EmailContent,
): Template {
  return (data, context) => {
    const parsed = schema.safeParse(data);
    if (!parsed.success) throw new EmailRenderError(parsed.error.issues.map((issue) => issue.path.join(".")));
    return build(parsed.data, context);
  };
}

/** The Portuguese content of each template, before layout; `data` keys beyond these are ignored. */
export const TEMPLATES: Record<EmailTemplate, Template> = {
  "verify-email": defineTemplate(linkData, (data, { appName, baseUrl }) => ({
    subject: `Confirme seu e-mail no ${appName}`,
    blocks: [
      { kind: "paragraph", text: greeting(data.name) },
      {
        kind: "paragraph",
        text: `Para confirmar o endereço de e-mail da sua conta no ${appName}, use o botão abaixo.`,
      },
      {
        kind: "action",
        label: "Confirmar e-mail",
        url: linkWithToken(baseUrl, EMAIL_LINK_PATHS["verify-email"], data.token),
      },
      ...(data.expiresInMinutes
        ? [{ kind: "paragraph" as const, text: `O link vale por ${duration(data.expiresInMinutes)}.` }]
        : []),
    ],
    footer: `Você recebeu esta mensagem porque este endereço foi usado numa conta do ${appName}. Se não foi você, ignore-a.`,
  })),
  "password-reset": defineTemplate(linkData, (data, { appName, baseUrl }) => ({
    subject: `Redefinição de senha no ${appName}`,
    blocks: [
      { kind: "paragraph", text: greeting(data.name) },
      {
        kind: "paragraph",
        text: `Recebemos um pedido para redefinir a senha da sua conta no ${appName}. Para escolher uma nova senha, use o botão abaixo.`,
      },
      {
        kind: "action",
        label: "Redefinir senha",
        url: linkWithToken(baseUrl, EMAIL_LINK_PATHS["password-reset"], data.token),
      },
      {
        kind: "paragraph",
        text: data.expiresInMinutes
          ? `O link vale por ${duration(data.expiresInMinutes)} e só pode ser usado uma vez.`
          : "O link só pode ser usado uma vez.",
      },
    ],
    footer: "Se você não pediu a redefinição, ignore esta mensagem: sua senha continua a mesma.",
  })),
  "password-changed": defineTemplate(changeData, (data, { appName }) => ({
    subject: `Sua senha do ${appName} foi alterada`,
    blocks: [
      { kind: "paragraph", text: greeting(data.name) },
      {
        kind: "paragraph",
        text:
          data.method === "reset"
            ? `A senha da sua conta no ${appName} foi redefinida em ${dateTime(data.changedAt)}, com um link enviado a este endereço. Todas as sessões abertas foram encerradas.`
            : `A senha da sua conta no ${appName} foi alterada em ${dateTime(data.changedAt)}. As outras sessões abertas foram encerradas.`,
      },
      {
        kind: "paragraph",
        text: `Se não foi você, redefina sua senha agora pela opção “Esqueci minha senha” do ${appName} e avise o suporte.`,
      },
    ],
    footer: "Avisamos toda alteração de senha da sua conta, para que você saiba se não foi você.",
  })),
  "two-factor-changed": defineTemplate(twoFactorChangeData, (data, { appName }) => {
    const how = data.method === "totp" ? "aplicativo autenticador" : "código por e-mail";
    const when = dateTime(data.changedAt);
    const what = {
      enabled: `A verificação em duas etapas (${how}) foi ativada na sua conta do ${appName} em ${when}.`,
      disabled: `A verificação em duas etapas (${how}) foi desativada na sua conta do ${appName} em ${when}. Agora basta a senha para entrar.`,
      "recovery-codes": `Novos códigos de recuperação foram gerados para a sua conta do ${appName} em ${when}. Os códigos anteriores não valem mais.`,
    }[data.change];
    return {
      subject:
        data.change === "disabled"
          ? `A verificação em duas etapas do ${appName} foi desativada`
          : data.change === "enabled"
            ? `A verificação em duas etapas do ${appName} foi ativada`
            : `Novos códigos de recuperação no ${appName}`,
      blocks: [
        { kind: "paragraph", text: greeting(data.name) },
        { kind: "paragraph", text: what },
        {
          kind: "paragraph",
          text: `Se não foi você, redefina sua senha agora pela opção “Esqueci minha senha” do ${appName} e avise o suporte.`,
        },
      ],
      footer:
        "Avisamos toda mudança na verificação em duas etapas da sua conta, para que você saiba se não foi você.",
    };
  }),
  "two-factor-code": defineTemplate(codeData, (data, { appName }) => ({
    subject: `Seu código de verificação do ${appName}`,
    blocks: [
      { kind: "paragraph", text: greeting(data.name) },
      { kind: "paragraph", text: `Use este código para confirmar sua identidade no ${appName}:` },
      { kind: "code", value: data.code },
      {
        kind: "paragraph",
        text: data.expiresInMinutes
          ? `O código vale por ${duration(data.expiresInMinutes)} e só pode ser usado uma vez. Não o compartilhe com ninguém.`
          : "O código só pode ser usado uma vez. Não o compartilhe com ninguém.",
      },
    ],
    footer: "Se você não pediu este código, ignore esta mensagem e considere trocar sua senha.",
  })),
  "api-token-leaked": defineTemplate(leakedTokenData, (data, { appName }) => ({
    subject: `Um token de API seu foi revogado no ${appName}`,
    blocks: [
      { kind: "paragraph", text: greeting(data.name) },
      {
        kind: "paragraph",
        text: `O token de API "${data.tokenName}" (começa com ${data.tokenStart}) foi encontrado exposto publicamente e denunciado. Revogamos o token: ele não funciona mais.`,
      },
      {
        kind: "paragraph",
        text: "Crie um novo token para os sistemas que usavam este, guarde-o num cofre de segredos e remova o antigo de onde ele apareceu (repositório, log, mensagem).",
      },
    ],
    footer: `Você recebeu esta mensagem porque é dono deste token no ${appName}. Se não reconhece o token, revise os tokens da sua conta.`,
  })),
};
