import type { App } from "../../../http/openapi";
import type { CodeState } from "../../two-factor/code-repository";
import type { UserSummary } from "../../users/admin-service";
import {
  type ConsoleVisit,
  consoleGet,
  consolePost,
  queryParam,
  renderConsole,
  requiredField,
} from "../console";
import { CsrfForm, Messages, when } from "../layout";
import { SECTIONS } from "../paths";
import { TablePage } from "../table-page";

const BASE = SECTIONS.codes.path;
const SEND_FORM = "admin:codigos:enviar";

const STATE_LABELS: Record<CodeState, string> = {
  pending: "Enviado, ainda não validado",
  used: "Validado",
  expired: "Expirou sem ser validado",
  dead: "Bloqueado por tentativas erradas",
};

/**
 * Ajudar usuários com códigos: find a user (username or e-mail), e-mail them a temporary code on
 * their behalf (`POST /tokens/gerar-codigo/`'s service with their id, so the same limit and audit
 * rows) and see whether they validated it. The code itself is never on the page.
 */
export function registerUserCodePages(app: App): void {
  consoleGet(app, BASE, "two-factor-codes:send-for-user", codesPage, {
    enviado: "Código enviado por e-mail. Ele não aparece aqui: só o usuário o recebe.",
  });
  consolePost(app, BASE, {
    form: SEND_FORM,
    permission: "two-factor-codes:send-for-user",
    reshow: codesPage,
    async act(visit, fields) {
      const userId = requiredField(fields, "usuario", 40);
      await visit.c.get("services").twoFactor.emailedCodes.request(visit.principal, {
        userId,
        purpose: "confirmation",
      });
      return visit.c.redirect(`${BASE}?usuario=${encodeURIComponent(userId)}&aviso=enviado`, 303);
    },
  });
}

async function codesPage(visit: ConsoleVisit, messages: { error?: string; notice?: string }) {
  const { c, principal } = visit;
  const services = c.get("services");
  const search = queryParam(c, "q", 254);
  const selected = queryParam(c, "usuario", 40);
  const found: UserSummary[] = search
    ? (await services.users.list({ query: search, status: "active" }, { limit: 20 })).users
    : [];
  const status = selected
    ? await services.twoFactor.emailedCodes.latestFor(principal, selected, "confirmation")
    : undefined;
  const csrf = await visit.csrf(SEND_FORM);
  return renderConsole(visit, {
    title: "Ajudar usuários com códigos",
    section: BASE,
    body: (
      <>
        <h1>Ajudar usuários com códigos</h1>
        <p class="lead">
          Envie um código temporário ao e-mail de um usuário e acompanhe se ele o validou. O código nunca
          aparece aqui.
        </p>
        <Messages {...messages} />
        {selected ? (
          <section class="card" aria-labelledby="situacao">
            <h2 id="situacao">Último código enviado</h2>
            {status ? (
              <dl class="facts">
                <dt>Usuário</dt>
                <dd>
                  <code>{selected}</code>
                </dd>
                <dt>Situação</dt>
                <dd id="situacao-codigo">{STATE_LABELS[status.state]}</dd>
                <dt>Enviado em</dt>
                <dd>{when(status.createdAt)}</dd>
                <dt>Expira em</dt>
                <dd>{when(status.expiresAt)}</dd>
                <dt>Validado em</dt>
                <dd>{when(status.usedAt)}</dd>
                <dt>Tentativas erradas</dt>
                <dd>{status.attempts}</dd>
              </dl>
            ) : (
              <p>Nenhum código enviado a este usuário.</p>
            )}
            <p>
              <a href={`${BASE}?usuario=${encodeURIComponent(selected)}`}>Atualizar</a>
            </p>
          </section>
        ) : null}
        <section class="card" aria-labelledby="buscar">
          <h2 id="buscar">Buscar usuário</h2>
          <TablePage
            filters={{
              action: BASE,
              label: "Buscar usuário",
              submit: "Buscar",
              fields: (
                <div class="field">
                  <label for="q">Usuário ou e-mail</label>
                  <input type="search" id="q" name="q" value={search ?? ""} maxlength={254} />
                </div>
              ),
            }}
            caption="Usuários encontrados"
            columns={["Nome", "Usuário", "E-mail", "Ação"]}
            items={found}
            empty={search ? "Nenhum usuário ativo encontrado." : null}
            row={(user) => (
              <tr>
                <td>{user.name}</td>
                <td>{user.username}</td>
                <td>{user.email}</td>
                <td>
                  <CsrfForm action={BASE} csrf={csrf}>
                    <input type="hidden" name="usuario" value={user.id} />
                    <button type="submit" aria-label={`Enviar código para ${user.username}`}>
                      Enviar código
                    </button>
                  </CsrfForm>
                </td>
              </tr>
            )}
          />
        </section>
      </>
    ),
  });
}
