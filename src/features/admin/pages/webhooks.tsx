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
import { CsrfForm, Messages, NextPage, TableWrap, when } from "../layout";
import { SECTIONS } from "../paths";

const BASE = SECTIONS.webhooks.path;
const REDELIVER_FORM = "admin:webhooks:reenviar";
const PAGE_SIZE = 25;

const STATUS_LABELS: Record<WebhookDeliveryStatus, string> = {
  pending: "Pendente",
  delivered: "Entregue",
  failed: "Falhou",
};
const STATUSES = Object.keys(STATUS_LABELS) as WebhookDeliveryStatus[];

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
        <form method="get" action={BASE} class="filters" aria-label="Filtrar entregas">
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
          <button type="submit" class="secondary">
            Filtrar
          </button>
        </form>
        {page.items.length === 0 ? (
          <p>Nenhuma entrega registrada.</p>
        ) : (
          <TableWrap label="Entregas de webhooks, da mais recente à mais antiga">
            <table>
              <caption class="visually-hidden">Entregas de webhooks, da mais recente à mais antiga</caption>
              <thead>
                <tr>
                  <th scope="col">Evento</th>
                  <th scope="col">Tipo</th>
                  <th scope="col">Destino</th>
                  <th scope="col">Situação</th>
                  <th scope="col" class="num">
                    Tentativas
                  </th>
                  <th scope="col">Última resposta</th>
                  <th scope="col">Atualizado em</th>
                  <th scope="col">Ação</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((delivery) => (
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
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
        <NextPage path={BASE} query={{ estado: status }} cursor={page.nextCursor} />
      </div>
    ),
  });
}
