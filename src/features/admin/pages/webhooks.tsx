import type { App } from "../../../http/openapi";
import type { WebhookDeliveryStatus } from "../../webhooks/deliveries";
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
import { type TableColumn, TablePage } from "../table-page";

const BASE = SECTIONS.webhooks.path;
const REDELIVER_FORM = "admin:webhooks:reenviar";
const PAGE_SIZE = 25;

const STATUS_LABELS: Record<WebhookDeliveryStatus, string> = {
  pending: "Pendente",
  delivered: "Entregue",
  failed: "Falhou",
};
const STATUSES = Object.keys(STATUS_LABELS) as WebhookDeliveryStatus[];
const COLUMNS: TableColumn[] = [
  "Evento",
  "Tipo",
  "Destino",
  "Situação",
  { label: "Tentativas", numeric: true },
  "Última resposta",
  "Atualizado em",
  "Ação",
];

/**
 * Webhooks: the delivery log (status filter, cursor paging) with attempts, the last answer and the
 * last error; a failed event can be queued again (the redelivery service: same event id and body,
 * audited). Payloads are never shown (`invite.created` carries a code).
 */
export function registerWebhookPages(app: App): void {
  consoleGet(app, BASE, "webhooks:read", webhooksPage, { reenviado: "Evento colocado na fila de novo." });
  consolePost(app, BASE, {
    form: REDELIVER_FORM,
    permission: "webhooks:redeliver",
    reshow: webhooksPage,
    async act(visit, fields) {
      await visit.c
        .get("services")
        .webhooks.redeliver(visit.principal.userId, requiredField(fields, "evento", 128));
      return visit.c.redirect(`${BASE}?aviso=reenviado`, 303);
    },
  });
}

async function webhooksPage(visit: ConsoleVisit, messages: { error?: string; notice?: string }) {
  const { c } = visit;
  const status = STATUSES.find((name) => name === c.req.query("estado"));
  const page = await c.get("services").webhooks.list({
    status,
    cursor: queryParam(c, "cursor", 200),
    limit: PAGE_SIZE,
  });
  const csrf = await visit.csrf(REDELIVER_FORM);
  return renderConsole(visit, {
    title: "Webhooks",
    section: BASE,
    body: (
      <div class="card">
        <h1>Webhooks</h1>
        <Messages {...messages} />
        <TablePage
          filters={{
            action: BASE,
            label: "Filtrar entregas",
            fields: (
              <div class="field">
                <label for="estado">Situação</label>
                <select id="estado" name="estado">
                  <option value="">Todas</option>
                  {STATUSES.map((name) => (
                    <option value={name} selected={name === status}>
                      {STATUS_LABELS[name]}
                    </option>
                  ))}
                </select>
              </div>
            ),
          }}
          caption="Entregas de webhooks, da mais recente à mais antiga"
          columns={COLUMNS}
          items={page.items}
          empty="Nenhuma entrega registrada."
          pager={{ path: BASE, query: { estado: status }, cursor: page.nextCursor }}
          row={(delivery) => (
            <tr>
              <td>
                <code>{delivery.eventId}</code>
              </td>
              <td>{delivery.event}</td>
              <td class="ua">{delivery.url}</td>
              <td>
                <span class={`state state-${delivery.status}`}>{STATUS_LABELS[delivery.status]}</span>
              </td>
              <td class="num">{delivery.attempts}</td>
              <td class="ua">
                {delivery.lastStatus ?? "sem resposta"}
                {delivery.lastError ? ` · ${delivery.lastError}` : ""}
              </td>
              <td>{when(delivery.updatedAt)}</td>
              <td>
                {delivery.status === "failed" ? (
                  <CsrfForm action={BASE} csrf={csrf}>
                    <input type="hidden" name="evento" value={delivery.eventId} />
                    <button
                      type="submit"
                      class="secondary"
                      aria-label={`Reenviar o evento ${delivery.eventId}`}
                    >
                      Reenviar
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
