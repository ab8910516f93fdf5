import type { App } from "../../../http/openapi";
import type { ApiTokenView } from "../../api-tokens/view";
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

const BASE = SECTIONS.apiTokens.path;
const REVOKE_FORM = "admin:tokens:revogar";
const PAGE_SIZE = 25;

const STATUS_LABELS: Record<ApiTokenView["status"], string> = {
  active: "Ativo",
  expired: "Expirado",
  revoked: "Revogado",
};

const COLUMNS = ["Nome", "Início", "Dono", "Escopo", "Estado", "Último uso", "Expira em", "Ação"];

/**
 * Tokens de API: every user's tokens (admin and root, `api-tokens:read-any`) with owner, scope,
 * state and last use, newest first; revoke one (`api-tokens:revoke-any`, the API's service call,
 * so the credential cache is told and the same audit row is written). Never the token itself.
 */
export function registerApiTokenPages(app: App): void {
  consoleGet(app, BASE, "api-tokens:read-any", tokensPage, { revogado: "Token revogado." });
  consolePost(app, BASE, {
    form: REVOKE_FORM,
    permission: "api-tokens:revoke-any",
    reshow: tokensPage,
    async act(visit, fields) {
      await visit.c
        .get("services")
        .apiTokens.tokens.revoke(visit.principal, requiredField(fields, "token", 40));
      return visit.c.redirect(`${BASE}?aviso=revogado`, 303);
    },
  });
}

async function tokensPage(visit: ConsoleVisit, messages: { error?: string; notice?: string }) {
  const { c, principal } = visit;
  const page = await c.get("services").apiTokens.tokens.listAll(principal, {
    cursor: queryParam(c, "cursor", 200),
    limit: PAGE_SIZE,
  });
  const csrf = await visit.csrf(REVOKE_FORM);
  return renderConsole(visit, {
    title: "Tokens de API",
    section: BASE,
    body: (
      <div class="card">
        <h1>Tokens de API</h1>
        <Messages {...messages} />
        <TablePage
          caption="Tokens de API de todos os usuários, do mais novo ao mais antigo"
          columns={COLUMNS}
          items={page.tokens}
          empty="Nenhum token de API."
          pager={{ path: BASE, query: {}, cursor: page.next_cursor }}
          row={(token) => (
            <tr>
              <td>{token.nome}</td>
              <td>
                <code>{token.token_start}…</code>
              </td>
              <td>
                <code>{token.user_id}</code>
              </td>
              <td>{token.scope}</td>
              <td>{STATUS_LABELS[token.status]}</td>
              <td>{when(token.last_used_at)}</td>
              <td>{token.expires_at ? when(token.expires_at) : "nunca"}</td>
              <td>
                {token.status === "active" ? (
                  <CsrfForm action={BASE} csrf={csrf}>
                    <input type="hidden" name="token" value={token.id} />
                    <button type="submit" class="danger" aria-label={`Revogar o token ${token.nome}`}>
                      Revogar
                    </button>
                  </CsrfForm>
                ) : (
                  "—"
                )}
              </td>
            </tr>
          )}
        />
      </div>
    ),
  });
}
