import type { App } from "../../../http/openapi";
import type { Invite, InviteState } from "../../invites/invite";
import { INVITE_STATES } from "../../invites/invite";
import { INVITE_PROFILE_NAMES, type InviteProfile } from "../../invites/profiles";
import {
  type ConsoleVisit,
  consoleGet,
  consolePost,
  invalid,
  optionalField,
  queryParam,
  renderConsole,
  utcDay,
} from "../console";
import { CsrfForm, Messages, when } from "../layout";
import { SECTIONS } from "../paths";
import { TablePage } from "../table-page";
import { AuditTable } from "./audit-table";

const BASE = SECTIONS.invites.path;
const CREATE_FORM = "admin:convites:criar";
const REVOKE_FORM = "admin:convites:revogar";
const PAGE_SIZE = 25;

const STATE_LABELS: Record<InviteState, string> = {
  novo: "Novo",
  usado: "Usado",
  revogado: "Revogado",
  expirado: "Expirado",
};

const COLUMNS = ["Código", "Perfil", "Organização", "Estado", "Criado em", "Expira em"];

/**
 * Convites: the list (filters: state, organisation, creator, creation dates; cursor paging), the
 * create form, the page that shows a new code once with the day's remaining quota, an invite's
 * detail with its audit history, and revocation after a confirmation. Every read and change is the
 * invites API's own service call (`services.invites`), so the rules and audit rows are the same.
 * A gestor's list is fixed to the invites they created (seed 001: a gestor looks after their own).
 */
export function registerInvitePages(app: App): void {
  consoleGet(app, BASE, "invites:read", listPage);
  consolePost(app, BASE, {
    form: CREATE_FORM,
    permission: "invites:create",
    reshow: listPage,
    async act(visit, fields) {
      const profile = INVITE_PROFILE_NAMES.find((name) => name === fields.tipo_destino);
      if (!profile) throw invalid("tipo_destino");
      const expiry = optionalField(fields, "data_expiracao", 10);
      const created = await visit.c.get("services").invites.creation.create(visit.principal, {
        tipoDestino: profile,
        organizacao: optionalField(fields, "organizacao", 100),
        dataExpiracao: expiry === undefined ? undefined : endOfDay(expiry),
      });
      return createdPage(visit, created.invite, created.code, created.quota.remaining, created.quota.limit);
    },
  });
  consoleGet(app, `${BASE}/:id`, "invites:read", detailPage, { revogado: "Convite revogado." });
  consolePost(app, `${BASE}/:id`, {
    form: REVOKE_FORM,
    permission: "invites:revoke",
    reshow: detailPage,
    async act(visit, fields) {
      const id = visit.c.req.param("id") ?? "";
      if (fields.confirmar !== "sim") throw invalid("confirmar");
      await visit.c.get("services").invites.revocation.revoke(visit.principal, id);
      return visit.c.redirect(`${BASE}/${encodeURIComponent(id)}?aviso=revogado`, 303);
    },
  });
}

/** `YYYY-MM-DD` → the end of that UTC day: an invite "until the 10th" lasts through the 10th. */
function endOfDay(text: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(Date.parse(text))) throw invalid("data_expiracao");
  return new Date(Date.parse(`${text}T23:59:59.999Z`));
}

async function listPage(visit: ConsoleVisit, messages: { error?: string; notice?: string }) {
  const { c, principal } = visit;
  const estado = INVITE_STATES.find((state) => state === c.req.query("estado"));
  const filters = {
    estado,
    organizacao: queryParam(c, "organizacao", 100),
    criado_por: principal.role === "gestor" ? undefined : queryParam(c, "criado_por", 40),
    de: queryParam(c, "de", 10),
    ate: queryParam(c, "ate", 10),
  };
  const page = await c.get("services").invites.queries.list(principal, {
    estado,
    organizacao: filters.organizacao,
    createdBy: principal.role === "gestor" ? principal.userId : filters.criado_por,
    createdFrom: utcDay(filters.de),
    createdTo: utcDay(filters.ate, true),
    cursor: queryParam(c, "cursor", 200),
    limit: PAGE_SIZE,
  });
  const createCsrf = await visit.csrf(CREATE_FORM);
  return renderConsole(visit, {
    title: "Convites",
    section: BASE,
    body: (
      <>
        <h1>Convites</h1>
        <Messages {...messages} />
        <section class="card" aria-labelledby="novo-convite">
          <h2 id="novo-convite">Novo convite</h2>
          <CsrfForm action={BASE} csrf={createCsrf} class="inline-form">
            <div class="field">
              <label for="tipo_destino">Perfil</label>
              <select id="tipo_destino" name="tipo_destino">
                {INVITE_PROFILE_NAMES.map((name: InviteProfile) => (
                  <option value={name}>{name}</option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="organizacao">Organização do convite</label>
              <input
                type="text"
                id="organizacao"
                name="organizacao"
                maxlength={100}
                aria-describedby="organizacao-dica"
              />
              <span class="hint" id="organizacao-dica">
                Identificador (slug). Vazio: a sua, se tiver só uma.
              </span>
            </div>
            <div class="field">
              <label for="data_expiracao">Válido até</label>
              <input
                type="date"
                id="data_expiracao"
                name="data_expiracao"
                aria-describedby="expiracao-dica"
              />
              <span class="hint" id="expiracao-dica">
                Vazio: o prazo padrão.
              </span>
            </div>
            <button type="submit">Criar convite</button>
          </CsrfForm>
        </section>
        <section class="card" aria-labelledby="lista-convites">
          <h2 id="lista-convites">Lista</h2>
          <TablePage
            filters={{
              action: BASE,
              label: "Filtrar convites",
              fields: (
                <>
                  <div class="field">
                    <label for="filtro-estado">Estado</label>
                    <select id="filtro-estado" name="estado">
                      <option value="">Todos</option>
                      {INVITE_STATES.map((state) => (
                        <option value={state} selected={state === estado}>
                          {STATE_LABELS[state]}
                        </option>
                      ))}
                    </select>
                  </div>
                  <div class="field">
                    <label for="filtro-organizacao">Organização</label>
                    <input
                      type="text"
                      id="filtro-organizacao"
                      name="organizacao"
                      value={filters.organizacao ?? ""}
                    />
                  </div>
                  {principal.role === "gestor" ? null : (
                    <div class="field">
                      <label for="filtro-criador">Criado por (id)</label>
                      <input
                        type="text"
                        id="filtro-criador"
                        name="criado_por"
                        value={filters.criado_por ?? ""}
                      />
                    </div>
                  )}
                  <div class="field">
                    <label for="filtro-de">Criado de</label>
                    <input type="date" id="filtro-de" name="de" value={filters.de ?? ""} />
                  </div>
                  <div class="field">
                    <label for="filtro-ate">até</label>
                    <input type="date" id="filtro-ate" name="ate" value={filters.ate ?? ""} />
                  </div>
                </>
              ),
            }}
            caption="Convites, do mais novo ao mais antigo"
            columns={COLUMNS}
            items={page.items}
            empty="Nenhum convite com estes filtros."
            pager={{ path: BASE, query: { ...filters }, cursor: page.nextCursor }}
            row={(invite) => (
              <tr>
                <td>
                  <a href={`${BASE}/${invite.id}`}>{invite.codePrefix}…</a>
                </td>
                <td>{invite.tipoDestino}</td>
                <td>{invite.tenantSlug}</td>
                <td>
                  <span class={`state state-${invite.estado}`}>{STATE_LABELS[invite.estado]}</span>
                </td>
                <td>{when(invite.createdAt)}</td>
                <td>{when(invite.dataExpiracao)}</td>
              </tr>
            )}
          />
        </section>
      </>
    ),
  });
}

function createdPage(visit: ConsoleVisit, invite: Invite, code: string, remaining: number, limit: number) {
  return renderConsole(visit, {
    title: "Convite criado",
    section: BASE,
    body: (
      <div class="card">
        <h1>Convite criado</h1>
        <p class="notice success" role="status">
          Copie o código agora: ele não será mostrado de novo.
        </p>
        <p class="secret-line">
          <code id="codigo-convite" class="secret">
            {code}
          </code>{" "}
          <button type="button" class="secondary" data-copy="codigo-convite" hidden>
            Copiar
          </button>
        </p>
        <dl class="facts">
          <dt>Perfil</dt>
          <dd>{invite.tipoDestino}</dd>
          <dt>Organização</dt>
          <dd>{invite.tenantSlug}</dd>
          <dt>Expira em</dt>
          <dd>{when(invite.dataExpiracao)}</dd>
          <dt>Convites restantes hoje</dt>
          <dd>
            <span id="cota">{remaining}</span> de {limit}
          </dd>
        </dl>
        <p class="actions">
          <a href={`${BASE}/${invite.id}`}>Ver o convite</a>
          <a href={BASE}>Voltar à lista</a>
        </p>
      </div>
    ),
  });
}

async function detailPage(visit: ConsoleVisit, messages: { error?: string; notice?: string }) {
  const { c, principal } = visit;
  const id = c.req.param("id") ?? "";
  const { queries } = c.get("services").invites;
  const invite = await queries.get(principal, id);
  const history = await queries.history(principal, id, { limit: 50 });
  const revocable =
    invite.estado === "novo" && (principal.role !== "gestor" || invite.createdBy === principal.userId);
  return renderConsole(visit, {
    title: `Convite ${invite.codePrefix}…`,
    section: BASE,
    body: (
      <>
        <h1>Convite {invite.codePrefix}…</h1>
        <Messages {...messages} />
        <section class="card" aria-labelledby="dados">
          <h2 id="dados">Dados</h2>
          <dl class="facts">
            <dt>Id</dt>
            <dd>
              <code>{invite.id}</code>
            </dd>
            <dt>Estado</dt>
            <dd>{STATE_LABELS[invite.estado]}</dd>
            <dt>Perfil</dt>
            <dd>{invite.tipoDestino}</dd>
            <dt>Organização</dt>
            <dd>{invite.tenantSlug}</dd>
            <dt>Criado por</dt>
            <dd>
              <code>{invite.createdBy}</code> em {when(invite.createdAt)}
            </dd>
            <dt>Expira em</dt>
            <dd>{when(invite.dataExpiracao)}</dd>
            {invite.used ? (
              <>
                <dt>Usado por</dt>
                <dd>
                  <code>{invite.used.by}</code> em {when(invite.used.at)}
                </dd>
              </>
            ) : null}
            {invite.revoked ? (
              <>
                <dt>Revogado por</dt>
                <dd>
                  <code>{invite.revoked.by}</code> em {when(invite.revoked.at)}
                </dd>
              </>
            ) : null}
          </dl>
          {revocable ? (
            <CsrfForm action={`${BASE}/${invite.id}`} csrf={await visit.csrf(REVOKE_FORM)}>
              <div class="field checkbox">
                <input type="checkbox" id="confirmar" name="confirmar" value="sim" required />
                <label for="confirmar">Confirmo: revogar este convite (não tem volta)</label>
              </div>
              <button type="submit" class="danger">
                Revogar convite
              </button>
            </CsrfForm>
          ) : null}
        </section>
        <section class="card" aria-labelledby="historico">
          <h2 id="historico">Histórico</h2>
          <AuditTable rows={history.items} caption="Histórico do convite, do mais recente ao mais antigo" />
        </section>
        <p>
          <a href={BASE}>Voltar à lista</a>
        </p>
      </>
    ),
  });
}
