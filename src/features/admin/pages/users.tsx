import type { App } from "../../../http/openapi";
import { roleAtLeast } from "../../authorization/principal";
import { ROLES, type Role } from "../../users/user";
import {
  type ConsoleVisit,
  consoleGet,
  consolePost,
  invalid,
  queryParam,
  renderConsole,
  requiredField,
} from "../console";
import { CsrfForm, Messages, when } from "../layout";
import { SECTIONS } from "../paths";
import { TablePage } from "../table-page";

const BASE = SECTIONS.users.path;
const ROLE_FORM = "admin:usuarios:papel";
const PAGE_SIZE = 25;
const COLUMNS = ["Nome", "Usuário", "Papel", "Duas etapas", "Último acesso", "Situação", "Mudar papel"];

/**
 * Usuários e papéis: users (search, role filter, cursor paging) with role, two-factor state and
 * last sign-in; change a role with `PUT /api/users/{id}/role`'s service, so its rules hold (never
 * one's own, never above one's own or on someone above, never the last root) and it is audited the
 * same. The role menu offers only roles up to the admin's own; the service decides anyway.
 */
export function registerUserPages(app: App): void {
  consoleGet(app, BASE, "users:read", usersPage, { papel: "Papel alterado." });
  consolePost(app, BASE, {
    form: ROLE_FORM,
    permission: "users:role",
    reshow: usersPage,
    async act(visit, fields) {
      const role = ROLES.find((name) => name === fields.papel);
      if (!role) throw invalid("papel");
      await visit.c
        .get("services")
        .users.changeRole(visit.principal, requiredField(fields, "usuario", 40), role);
      return visit.c.redirect(`${BASE}?aviso=papel`, 303);
    },
  });
}

async function usersPage(visit: ConsoleVisit, messages: { error?: string; notice?: string }) {
  const { c, principal } = visit;
  const services = c.get("services");
  const query = queryParam(c, "q", 254);
  const role = ROLES.find((name) => name === c.req.query("papel"));
  const page = await services.users.list(
    { query, role },
    { cursor: queryParam(c, "cursor", 200), limit: PAGE_SIZE },
  );
  const activity = await services.admin.activityOf(page.users.map((user) => user.id));
  const grantable: Role[] = ROLES.filter((name) => roleAtLeast(principal.role, name));
  const csrf = await visit.csrf(ROLE_FORM);
  return renderConsole(visit, {
    title: "Usuários e papéis",
    section: BASE,
    body: (
      <div class="card">
        <h1>Usuários e papéis</h1>
        <Messages {...messages} />
        <TablePage
          filters={{
            action: BASE,
            label: "Filtrar usuários",
            fields: (
              <>
                <div class="field">
                  <label for="q">Usuário ou e-mail</label>
                  <input type="search" id="q" name="q" value={query ?? ""} maxlength={254} />
                </div>
                <div class="field">
                  <label for="filtro-papel">Papel</label>
                  <select id="filtro-papel" name="papel">
                    <option value="">Todos</option>
                    {ROLES.map((name) => (
                      <option value={name} selected={name === role}>
                        {name}
                      </option>
                    ))}
                  </select>
                </div>
              </>
            ),
          }}
          caption="Usuários, do mais novo ao mais antigo"
          columns={COLUMNS}
          items={page.users}
          empty="Nenhum usuário com estes filtros."
          pager={{ path: BASE, query: { q: query, papel: role }, cursor: page.nextCursor }}
          row={(user) => {
            const seen = activity.get(user.id);
            const editable = user.id !== principal.userId && roleAtLeast(principal.role, user.role);
            return (
              <tr>
                <td>{user.name}</td>
                <td>
                  {user.username}
                  <br />
                  <span class="hint">{user.email}</span>
                </td>
                <td>{user.role}</td>
                <td>{seen?.twoFactorOn ? "Ativa" : "Desativada"}</td>
                <td>{when(seen?.lastSignInAt)}</td>
                <td>{user.status === "active" ? "Ativo" : "Desativado"}</td>
                <td>
                  {editable ? (
                    <CsrfForm action={BASE} csrf={csrf} class="inline-form">
                      <input type="hidden" name="usuario" value={user.id} />
                      <label class="visually-hidden" for={`papel-${user.id}`}>
                        Novo papel de {user.username}
                      </label>
                      <select id={`papel-${user.id}`} name="papel">
                        {grantable.map((name) => (
                          <option value={name} selected={name === user.role}>
                            {name}
                          </option>
                        ))}
                      </select>
                      <button
                        type="submit"
                        class="secondary"
                        aria-label={`Salvar o papel de ${user.username}`}
                      >
                        Salvar
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
      </div>
    ),
  });
}
