import type { App } from "../../../http/openapi";
import { refusalOf } from "../../authorization/rules";
import type { Agent } from "../../tenants/agent-repository";
import { TENANT_ROLES, type TenantRecord, type TenantRole } from "../../tenants/repository";
import { tenantRoleAtLeast } from "../../tenants/roles";
import { RoleAssignmentBody, UpdateTenantBody } from "../../tenants/schemas";
import {
  type ConsoleVisit,
  consoleGet,
  consolePost,
  invalid,
  parseForm,
  renderConsole,
  requiredField,
} from "../console";
import { CsrfForm, Messages, when } from "../layout";
import { SECTIONS } from "../paths";
import { DataTable } from "../table-page";
import { timeoutField } from "./tenant-fields";
import { TenantSettingsFields } from "./tenant-settings-fields";

const BASE = SECTIONS.tenants.path;
const SETTINGS_FORM = "admin:tenants:configurar";
const ROLE_FORM = "admin:tenants:papel";
const REMOVE_FORM = "admin:tenants:remover";

const NOTICES = {
  criado: "Organização criada.",
  salvo: "Configurações salvas.",
  papel: "Papel atribuído.",
  removido: "Agente removido da organização.",
};

/** The page of one tenant, as a path: its slug, made safe for a URL. */
function tenantPath(slug: string): string {
  return `${BASE}/${encodeURIComponent(slug)}`;
}

/**
 * One tenant: its settings (global admin and root: rename, session timeout, MFA rule, disable or
 * enable, with `PATCH /api/tenants/{slug}`'s service and schema) and its agents with their roles
 * (assign, change, remove after a confirmation, with `/tenants/{slug}/roles`' service, so nobody
 * grants a role above their own nor touches an agent above them, and the last admin stays). A
 * tenant the visitor cannot act in is the 404 page, as the API answers.
 */
export function registerTenantDetailPages(app: App): void {
  const path = `${BASE}/:slug`;
  consoleGet(app, path, SECTIONS.tenants.permission, detailPage, NOTICES);
  consolePost(app, path, {
    form: SETTINGS_FORM,
    permission: "tenants:update",
    reshow: detailPage,
    async act(visit, fields) {
      const slug = visit.c.req.param("slug") ?? "";
      const body = parseForm(UpdateTenantBody, {
        name: fields.name ?? "",
        status: fields.status,
        session_timeout_seconds: timeoutField(fields.session_timeout_seconds),
        mfa_required: fields.mfa_required === "sim",
      });
      await visit.c.get("services").tenants.admin.update(visit.principal, slug, {
        name: body.name,
        status: body.status,
        sessionTimeoutSeconds: body.session_timeout_seconds,
        mfaRequired: body.mfa_required,
      });
      return visit.c.redirect(`${tenantPath(slug)}?aviso=salvo`, 303);
    },
  });
  consolePost(app, `${path}/papeis`, {
    form: ROLE_FORM,
    permission: "tenant-roles:write",
    reshow: detailPage,
    async act(visit, fields) {
      const slug = visit.c.req.param("slug") ?? "";
      const agentId = requiredField(fields, "agent_id", 40);
      const { role } = parseForm(RoleAssignmentBody, { role: fields.role });
      await visit.c.get("services").tenants.roles.assign(visit.principal, slug, agentId, role);
      return visit.c.redirect(`${tenantPath(slug)}?aviso=papel`, 303);
    },
  });
  consolePost(app, `${path}/remover`, {
    form: REMOVE_FORM,
    permission: "tenant-roles:write",
    reshow: detailPage,
    async act(visit, fields) {
      const slug = visit.c.req.param("slug") ?? "";
      const agentId = requiredField(fields, "agent_id", 40);
      if (fields.confirmar !== "sim") throw invalid("confirmar");
      await visit.c.get("services").tenants.roles.remove(visit.principal, slug, agentId);
      return visit.c.redirect(`${tenantPath(slug)}?aviso=removido`, 303);
    },
  });
}

async function detailPage(visit: ConsoleVisit, messages: { error?: string; notice?: string }) {
  const { c, principal } = visit;
  const slug = c.req.param("slug") ?? "";
  const { tenants } = c.get("services");
  // The roster first: it is the API's check of who may act in this tenant (404 / 403 as there).
  const roster = await tenants.roles.roster(principal, slug);
  const settings =
    refusalOf(principal, "tenants:read") === undefined ? await tenants.admin.get(slug) : undefined;
  const editsSettings = settings !== undefined && refusalOf(principal, "tenants:update") === undefined;
  const name = settings?.name ?? slug;
  return renderConsole(visit, {
    title: `Organização ${name}`,
    section: BASE,
    body: (
      <>
        <h1>Organização {name}</h1>
        <Messages {...messages} />
        {settings ? (
          <SettingsCard
            tenant={settings}
            defaultTimeout={c.get("services").config.tenantSessionTimeout}
            csrf={editsSettings ? await visit.csrf(SETTINGS_FORM) : undefined}
          />
        ) : null}
        <AgentsCard
          slug={slug}
          ownRole={roster.role}
          agents={roster.agents}
          roleCsrf={await visit.csrf(ROLE_FORM)}
          removeCsrf={await visit.csrf(REMOVE_FORM)}
        />
        <p>
          <a href={BASE}>Voltar à lista</a>
        </p>
      </>
    ),
  });
}

function SettingsCard({
  tenant,
  defaultTimeout,
  csrf,
}: {
  tenant: TenantRecord;
  defaultTimeout: number;
  /** The settings form's token; absent when the visitor may read but not change them. */
  csrf?: string;
}) {
  return (
    <section class="card" aria-labelledby="configuracoes">
      <h2 id="configuracoes">Configurações</h2>
      <dl class="facts">
        <dt>Identificador</dt>
        <dd>
          <code>{tenant.slug}</code>
        </dd>
        <dt>Id</dt>
        <dd>
          <code>{tenant.id}</code>
        </dd>
        <dt>Situação</dt>
        <dd id="situacao-organizacao">{tenant.status === "active" ? "Ativa" : "Desativada"}</dd>
        <dt>Criada em</dt>
        <dd>{when(tenant.createdAt)}</dd>
        <dt>Alterada em</dt>
        <dd>{when(tenant.updatedAt)}</dd>
      </dl>
      {csrf ? (
        <CsrfForm action={tenantPath(tenant.slug)} csrf={csrf}>
          <TenantSettingsFields
            values={tenant}
            timeoutHint={`Vazio: o padrão do serviço (${defaultTimeout} s). Vale para as sessões abertas depois.`}
          />
          <div class="field">
            <label for="status">Situação</label>
            <select id="status" name="status" aria-describedby="situacao-dica">
              <option value="active" selected={tenant.status === "active"}>
                Ativa
              </option>
              <option value="disabled" selected={tenant.status === "disabled"}>
                Desativada
              </option>
            </select>
            <span class="hint" id="situacao-dica">
              Desativar recusa os logins dos agentes e encerra todas as sessões da organização.
            </span>
          </div>
          <button type="submit">Salvar configurações</button>
        </CsrfForm>
      ) : null}
    </section>
  );
}

function AgentsCard({
  slug,
  ownRole,
  agents,
  roleCsrf,
  removeCsrf,
}: {
  slug: string;
  ownRole: TenantRole;
  agents: Agent[];
  roleCsrf: string;
  removeCsrf: string;
}) {
  // The menus offer only roles up to the visitor's own; the service decides anyway.
  const grantable = TENANT_ROLES.filter((role) => tenantRoleAtLeast(ownRole, role));
  const rolesAction = `${tenantPath(slug)}/papeis`;
  return (
    <section class="card" aria-labelledby="agentes">
      <h2 id="agentes">Agentes e papéis</h2>
      <p>
        Seu papel nesta organização: <strong>{ownRole}</strong>. Você atribui papéis até o seu e não altera
        quem está acima de você.
      </p>
      <DataTable
        caption="Agentes da organização, por e-mail"
        columns={["E-mail", "Id", "Papel", "Mudar papel", "Remover"]}
        items={agents}
        empty="Nenhum agente."
        row={(agent) => {
          const touchable = tenantRoleAtLeast(ownRole, agent.role);
          return (
            <tr>
              <td>{agent.email}</td>
              <td>
                <code>{agent.agentId}</code>
              </td>
              <td>{agent.role}</td>
              <td>
                {touchable ? (
                  <CsrfForm action={rolesAction} csrf={roleCsrf} class="inline-form">
                    <input type="hidden" name="agent_id" value={agent.agentId} />
                    <label class="visually-hidden" for={`papel-${agent.agentId}`}>
                      Novo papel de {agent.email}
                    </label>
                    <select id={`papel-${agent.agentId}`} name="role">
                      {grantable.map((role) => (
                        <option value={role} selected={role === agent.role}>
                          {role}
                        </option>
                      ))}
                    </select>
                    <button type="submit" class="secondary" aria-label={`Salvar o papel de ${agent.email}`}>
                      Salvar
                    </button>
                  </CsrfForm>
                ) : (
                  "—"
                )}
              </td>
              <td>
                {touchable ? (
                  <CsrfForm action={`${tenantPath(slug)}/remover`} csrf={removeCsrf} class="inline-form">
                    <input type="hidden" name="agent_id" value={agent.agentId} />
                    <div class="field checkbox">
                      <input
                        type="checkbox"
                        id={`confirmar-${agent.agentId}`}
                        name="confirmar"
                        value="sim"
                        required
                      />
                      <label for={`confirmar-${agent.agentId}`}>
                        Confirmo<span class="visually-hidden"> remover {agent.email}</span>
                      </label>
                    </div>
                    <button type="submit" class="danger" aria-label={`Remover ${agent.email}`}>
                      Remover
                    </button>
                  </CsrfForm>
                ) : (
                  "—"
                )}
              </td>
            </tr>
          );
        }}
      />
      <h3>Atribuir um papel</h3>
      <CsrfForm action={rolesAction} csrf={roleCsrf} class="inline-form">
        <div class="field">
          <label for="agent_id">Id do usuário</label>
          <input
            type="text"
            id="agent_id"
            name="agent_id"
            required
            maxlength={40}
            aria-describedby="agente-dica"
          />
          <span class="hint" id="agente-dica">
            O id da conta do usuário (usr_…).
          </span>
        </div>
        <div class="field">
          <label for="role">Papel</label>
          <select id="role" name="role">
            {grantable.map((role) => (
              <option value={role} selected={role === "usuario"}>
                {role}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Atribuir papel</button>
      </CsrfForm>
    </section>
  );
}
