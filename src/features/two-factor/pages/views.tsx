import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import { Notice } from "../../web/layout";
import { SignInFields } from "../../web/sign-in-fields";
import type { TotpSetup, TwoFactorStatus } from "../enrolment";

/** Where every form of the page posts (seed 001: `POST /tokens/ativar-2fa/`). */
export const ACTIVATION_PAGE_PATH = "/tokens/ativar-2fa/";

/** The page's forms: the `acao` field of each post, which also names its CSRF token. */
export const ACTIONS = [
  "entrar",
  "segundo-fator",
  "configurar",
  "ativar",
  "novos-codigos",
  "desativar",
  "sair",
] as const;
/** One of `ACTIONS`. */
export type Action = (typeof ACTIONS)[number];

/** CSRF tokens of the forms a screen shows. */
export type FormTokens = Partial<Record<Action, string>>;

/** A screen: its title and what goes in the card. */
export interface Screen {
  title: string;
  body: Child;
}

interface Messages {
  error?: string;
  notice?: string;
}

function Messages({ error, notice }: Messages) {
  return (
    <>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {notice ? <Notice kind="success">{notice}</Notice> : null}
    </>
  );
}

function Form({ action, tokens, children }: { action: Action; tokens: FormTokens; children: Child }) {
  return (
    <form method="post" action={ACTIVATION_PAGE_PATH}>
      <input type="hidden" name="acao" value={action} />
      <input type="hidden" name="csrf" value={tokens[action] ?? ""} />
      {children}
    </form>
  );
}

function CodeField({
  id,
  label,
  hint,
  autofocus,
}: {
  id: string;
  label: string;
  hint: string;
  autofocus?: boolean;
}) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <span class="hint" id={`${id}-dica`}>
        {hint}
      </span>
      <input
        class="code"
        type="text"
        id={id}
        name="codigo"
        inputmode="numeric"
        autocomplete="one-time-code"
        maxlength={64}
        required
        autofocus={autofocus}
        aria-describedby={`${id}-dica`}
      />
    </div>
  );
}

function SignOut({ tokens }: { tokens: FormTokens }) {
  return (
    <Form action="sair" tokens={tokens}>
      <button type="submit" class="secondary">
        Sair
      </button>
    </Form>
  );
}

/** Not signed in: username or e-mail and password. */
export function signInScreen(tokens: FormTokens, messages: Messages & { identifier?: string }): Screen {
  return {
    title: "Entrar",
    body: (
      <>
        <h1>Ativar a verificação em duas etapas</h1>
        <p class="lead">Entre com sua conta para configurar um aplicativo autenticador.</p>
        <Messages {...messages} />
        <Form action="entrar" tokens={tokens}>
          <SignInFields identifier={messages.identifier ?? ""} />
          <button type="submit">Entrar</button>
        </Form>
      </>
    ),
  };
}

/** The password matched; the second factor is due. */
export function secondFactorScreen(tokens: FormTokens, messages: Messages & { sentTo?: string }): Screen {
  const hint = messages.sentTo
    ? `Enviamos um código de 6 dígitos para ${messages.sentTo}. Você também pode usar um código de recuperação.`
    : "O código de 6 dígitos do aplicativo autenticador, ou um código de recuperação.";
  return {
    title: "Segunda etapa",
    body: (
      <>
        <h1>Confirme que é você</h1>
        <p class="lead">Sua conta já usa a verificação em duas etapas.</p>
        <Messages {...messages} />
        <Form action="segundo-fator" tokens={tokens}>
          <CodeField id="codigo" label="Código de verificação" hint={hint} autofocus />
          <button type="submit">Confirmar</button>
        </Form>
        <hr class="separator" />
        <SignOut tokens={tokens} />
      </>
    ),
  };
}

/** Signed in, two-factor off: what it is, and the button that starts the setup. */
export function startScreen(tokens: FormTokens, name: string, messages: Messages): Screen {
  return {
    title: "Ativar verificação em duas etapas",
    body: (
      <>
        <h1>Olá, {name}</h1>
        <Messages {...messages} />
        <p>
          A verificação em duas etapas protege sua conta mesmo que alguém descubra sua senha: ao entrar, além
          da senha, será pedido um código de 6 dígitos gerado por um aplicativo autenticador no seu celular
          (Google Authenticator, Microsoft Authenticator, 1Password, Aegis ou outro compatível com TOTP).
        </p>
        <ol>
          <li>Instale um aplicativo autenticador no celular.</li>
          <li>Escaneie o código QR que vamos mostrar (ou digite a chave).</li>
          <li>Digite o código que o aplicativo mostrar e guarde os códigos de recuperação.</li>
        </ol>
        <div class="actions">
          <Form action="configurar" tokens={tokens}>
            <button type="submit">Começar</button>
          </Form>
          <SignOut tokens={tokens} />
        </div>
      </>
    ),
  };
}

/** The secret from setup, as a QR code and as text, and the form for the first code. */
export function scanScreen(tokens: FormTokens, setup: TotpSetup, messages: Messages): Screen {
  const grouped = setup.secret.match(/.{1,4}/g)?.join(" ") ?? setup.secret;
  return {
    title: "Escaneie o código QR",
    body: (
      <>
        <h1>Configure o aplicativo autenticador</h1>
        <Messages {...messages} />
        <h2>1. Escaneie o código QR</h2>
        <div class="qr">
          {raw(setup.qrSvg)}
          <div>
            <p>Não consegue escanear? Digite esta chave no aplicativo (tipo: baseada em tempo):</p>
            <p class="secret">
              <code id="chave">{grouped}</code>
            </p>
            <p>
              <a href={setup.otpauthUrl}>Abrir no aplicativo deste dispositivo</a>
            </p>
          </div>
        </div>
        <h2>2. Digite o código que o aplicativo mostra</h2>
        <Form action="ativar" tokens={tokens}>
          <CodeField
            id="codigo"
            label="Código de 6 dígitos"
            hint="O código muda a cada 30 segundos."
            autofocus
          />
          <button type="submit">Ativar</button>
        </Form>
        <hr class="separator" />
        <div class="actions">
          <Form action="configurar" tokens={tokens}>
            <button type="submit" class="secondary">
              Gerar outra chave
            </button>
          </Form>
          <SignOut tokens={tokens} />
        </div>
      </>
    ),
  };
}

/** The recovery codes, shown once (after enabling, or after asking for a new set). */
export function recoveryCodesScreen(codes: string[], heading: string): Screen {
  return {
    title: "Códigos de recuperação",
    body: (
      <>
        <h1>{heading}</h1>
        <Notice kind="success">
          Guarde agora os códigos de recuperação abaixo: eles não serão mostrados de novo.
        </Notice>
        <p>
          Se você perder o celular, cada código permite entrar <strong>uma única vez</strong> no lugar do
          código do aplicativo. Guarde-os num lugar seguro (um gerenciador de senhas ou papel guardado).
        </p>
        <ul class="recovery-codes" aria-label="Códigos de recuperação">
          {codes.map((code) => (
            <li>{code}</li>
          ))}
        </ul>
        <p>
          <a href={ACTIVATION_PAGE_PATH}>Já guardei os códigos</a>
        </p>
      </>
    ),
  };
}

const DATE = new Intl.DateTimeFormat("pt-BR", { dateStyle: "long", timeStyle: "short", timeZone: "UTC" });

/** Signed in, two-factor on: its state, new recovery codes, turning it off. */
export function enabledScreen(tokens: FormTokens, status: TwoFactorStatus, messages: Messages): Screen {
  const method = status.method === "email" ? "código por e-mail" : "aplicativo autenticador";
  return {
    title: "Verificação em duas etapas",
    body: (
      <>
        <h1>Verificação em duas etapas</h1>
        <Messages {...messages} />
        <p>
          <span class="status">Ativa</span> ({method})
          {status.enabledAt ? ` desde ${DATE.format(status.enabledAt)} (UTC)` : ""}.
        </p>
        <p>Códigos de recuperação ainda não usados: {status.recoveryCodesLeft}.</p>
        <h2>Novos códigos de recuperação</h2>
        <p>Os códigos atuais deixam de valer.</p>
        <Form action="novos-codigos" tokens={tokens}>
          <CodeField
            id="codigo-novos"
            label="Código de verificação"
            hint="O código atual do aplicativo (ou um de recuperação)."
          />
          <button type="submit">Gerar novos códigos</button>
        </Form>
        <h2>Desativar</h2>
        <Form action="desativar" tokens={tokens}>
          <div class="field">
            <label for="senha">Senha</label>
            <input
              type="password"
              id="senha"
              name="senha"
              autocomplete="current-password"
              maxlength={1024}
              required
            />
          </div>
          <CodeField
            id="codigo-desativar"
            label="Código de verificação"
            hint="O código atual do aplicativo (ou um de recuperação)."
          />
          <button type="submit" class="danger">
            Desativar a verificação em duas etapas
          </button>
        </Form>
        <hr class="separator" />
        <SignOut tokens={tokens} />
      </>
    ),
  };
}

/** A form posted without its CSRF token (or from another site). */
export function refusedScreen(): Screen {
  return {
    title: "Formulário recusado",
    body: (
      <>
        <h1>Não foi possível confirmar este formulário</h1>
        <Notice kind="error">O formulário expirou ou não veio desta página. Nada foi alterado.</Notice>
        <p>
          <a href={ACTIVATION_PAGE_PATH}>Voltar e tentar de novo</a>
        </p>
      </>
    ),
  };
}
