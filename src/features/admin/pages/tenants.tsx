import type { App } from "../../../http/openapi";
import { refusalOf } from "../../authorization/rules";
import type { TenantRecord } from "../../tenants/repository";
import type { ManagedTenantPage } from "../../tenants/role-service";
import { CreateTenantBody } from "../../tenants/schemas";
import { type ConsoleVisit, consoleGet, consolePost, parseForm, queryParam, renderConsole } from "../console";
import { CsrfForm, Messages } from "../layout";
import { SECTIONS } from "../paths";
import { TablePage } from "../table-page";
import { registerTenantDetailPages } from "./tenant-detail";
import { timeoutField } from "./tenant-fields";
import { TenantSettingsFields } from "./tenant-settings-fields";

const BASE = SECTIONS.tenants.path;
const CREATE_FORM = "admin:tenants:criar";
const PAGE_SIZE = 25;

/**
 * Organizações (tenants): global admin and root list every tenant with its settings and create
 * one (`POST /api/tenants`'s service and schema, so the same validation, 409 and `tenant.create`
 * row); anyone else lists the tenants where their tenant role lets them read the agents (the
 * `tenant-roles:*` rule), never the settings nor the create form. Each tenant opens its page.
 */
export function registerTenantPages(app: App): void {
  consoleGet(app, BASE, SECTIONS.tenants.permission, listPage);
  consolePost(app, BASE, {
    form: CREATE_FORM,
    permission: "tenants:create",
    reshow: listPage,
    async act(visit, fields) {
      const body = parseForm(CreateTenantBody, {
        slug: fields.slug ?? "",
        name: fields.name ?? "",
        session_timeout_seconds: timeoutField(fields.session_timeout_seconds),
        mfa_required: fields.mfa_required === "sim",
      });
      const tenant = await visit.c.get("services").tenants.admin.create(visit.principal, {
        slug: body.slug,
        name: body.name,
        sessionTimeoutSeconds: body.session_timeout_seconds ?? null,
        mfaRequired: body.mfa_required,
      });
      return visit.c.redirect(`${BASE}/${encodeURIComponent(tenant.slug)}?aviso=criado`, 303);
    },
  });
  registerTenantDetailPages(app);
}

async function listPage(visit: ConsoleVisit, messages: { error?: string; notice?: string }) {
  const { c, principal } = visit;
  const cursor = queryParam(c, "cursor", 120);
  const readsSettings = refusalOf(principal, "tenants:read") === undefined;
  const list = readsSettings
    ? await settingsList(visit, cursor)
    : await managedList(
        await c.get("services").tenants.roles.managedTenants(principal, { cursor, limit: PAGE_SIZE }),
      );
  const creates = refusalOf(principal, "tenants:create") === undefined;
  return renderConsole(visit, {
    title: "Organizações",
    section: BASE,
    body: (
      <>
        <h1>Organizações</h1>
        <Messages {...messages} />
        {creates ? (
          <section class="card" aria-labelledby="nova-organizacao">
            <h2 id="nova-organizacao">Nova organização</h2>
            <CsrfForm action={BASE} csrf={await visit.csrf(CREATE_FORM)} class="inline-form">
              <div class="field">
                <label for="slug">Identificador (slug)</label>
                <input
                  type="text"
                  id="slug"
                  name="slug"
                  required
                  maxlength={63}
                  aria-describedby="slug-dica"
                />
                <span class="hint" id="slug-dica">
                  Letras minúsculas, dígitos e hífens; não muda depois.
                </span>
              </div>
              <TenantSettingsFields timeoutHint="Vazio: o padrão do serviço." />
              <button type="submit">Criar organização</button>
            </CsrfForm>
          </section>
        ) : null}
        <section class="card" aria-labelledby="lista-organizacoes">
          <h2 id="lista-organizacoes">
            {readsSettings ? "Todas as organizações" : "Organizações que você gere"}
          </h2>
          {list}
        </section>
      </>
    ),
  });
}

/** Every tenant with its settings (`tenants:read`), and its number of agents. */
async function settingsList(visit: ConsoleVisit, cursor: string | undefined) {
  const { admin } = visit.c.get("services").tenants;
  const page = await admin.list({ cursor, limit: PAGE_SIZE });
  const agents = await admin.agentCounts(page.tenants.map((tenant) => tenant.id));
  const { tenantSessionTimeout } = visit.c.get("services").config;
  return (
    <TablePage
      caption="Organizações, por identificador"
      columns={[
        "Nome",
        "Identificador",
        "Situação",
        "Segundo fator",
        "Tempo de sessão",
        { label: "Agentes", numeric: true },
      ]}
      items={page.tenants}
      empty="Nenhuma organização."
      pager={{ path: BASE, query: {}, cursor: page.nextCursor }}
      row={(tenant: TenantRecord) => (
        <tr>
          <td>
            <a href={`${BASE}/${encodeURIComponent(tenant.slug)}`}>{tenant.name}</a>
          </td>
          <td>
            <code>{tenant.slug}</code>
          </td>
          <td>
            <span class={`state state-${tenant.status}`}>
              {tenant.status === "active" ? "Ativa" : "Desativada"}
            </span>
          </td>
          <td>{tenant.mfaRequired ? "Exigido de todos" : "Só de quem o ativou"}</td>
          <td>
            {tenant.sessionTimeoutSeconds === null
              ? `${tenantSessionTimeout} s (padrão)`
              : `${tenant.sessionTimeoutSeconds} s`}
          </td>
          <td class="num">{agents.get(tenant.id) ?? 0}</td>
        </tr>
      )}
    />
  );
}

/** The tenants a non-admin manages, with their own role there and the number of agents. */
function managedList(page: ManagedTenantPage) {
  return (
    <TablePage
      caption="Organizações em que você é gestor ou admin, por identificador"
      columns={["Nome", "Identificador", "Seu papel", { label: "Agentes", numeric: true }]}
      items={page.items}
      empty="Você não gere nenhuma organização."
      pager={{ path: BASE, query: {}, cursor: page.nextCursor }}
      row={(item) => (
        <tr>
          <td>
            <a href={`${BASE}/${encodeURIComponent(item.tenant.slug)}`}>{item.tenant.name}</a>
          </td>
          <td>
            <code>{item.tenant.slug}</code>
          </td>
          <td>{item.role}</td>
          <td class="num">{item.agents}</td>
        </tr>
      )}
    />
  );
}
