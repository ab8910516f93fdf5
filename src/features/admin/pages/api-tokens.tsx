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
import { CsrfForm, Messages, NextPage, TableWrap, when } from "../layout";
import { SECTIONS } from "../paths";

const BASE = SECTIONS.apiTokens.path;
const REVOKE_FORM = "admin:tokens:revogar";
const PAGE_SIZE = 25;

const STATUS_LABELS: Record<ApiTokenView["status"], string> = {
  active: "Ativo",
  expired: "Expirado",
  revoked: "Revogado",
};

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
        {page.tokens.length === 0 ? (
          <p>Nenhum token de API.</p>
        ) : (
          <TableWrap label="Tokens de API de todos os usuários, do mais novo ao mais antigo">
            <table>
              <caption class="visually-hidden">
                Tokens de API de todos os usuários, do mais novo ao mais antigo
              </caption>
              <thead>
                <tr>
                  <th scope="col">Nome</th>
                  <th scope="col">Início</th>
                  <th scope="col">Dono</th>
                  <th scope="col">Escopo</th>
                  <th scope="col">Estado</th>
                  <th scope="col">Último uso</th>
                  <th scope="col">Expira em</th>
                  <th scope="col">Ação</th>
                </tr>
              </thead>
              <tbody>
                {page.tokens.map((token) => (
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
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
        <NextPage path={BASE} query={{}} cursor={page.next_cursor} />
      </div>
    ),
  });
}
