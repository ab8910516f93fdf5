import type { App } from "../../../http/openapi";
import { type ConsoleVisit, consoleGet, renderConsole } from "../console";
import { USAGE_SERIES } from "../console-repository";
import { Messages, TableWrap } from "../layout";
import { SECTIONS } from "../paths";
import { LegendSample, SERIES_STYLE, UsageChart } from "../usage-chart";

const BASE = SECTIONS.usage.path;

/**
 * Uso: invites created, used and revoked, and failed validations, per UTC day over the last 30
 * days, in the tenants the reader may see (root: all), counted from the audit rows the invites
 * feature writes. An SVG chart drawn by the server, and the same figures in a table beside it.
 */
export function registerUsagePage(app: App): void {
  consoleGet(app, BASE, "invites:read", usagePage);
}

async function usagePage(visit: ConsoleVisit, messages: { error?: string; notice?: string }) {
  const days = await visit.c.get("services").admin.inviteUsage(visit.principal);
  return renderConsole(visit, {
    title: "Uso",
    section: BASE,
    body: (
      <div class="card">
        <h1>Uso dos convites</h1>
        <p class="lead">Últimos {days.length} dias, por dia (UTC).</p>
        <Messages {...messages} />
        <div class="usage">
          <figure>
            <UsageChart days={days} series={USAGE_SERIES} />
            <figcaption>
              <ul class="chart-legend">
                {USAGE_SERIES.map((name) => (
                  <li>
                    <LegendSample series={name} />
                    {SERIES_STYLE[name].label}
                  </li>
                ))}
              </ul>
            </figcaption>
          </figure>
          <TableWrap label="Convites por dia">
            <table id="tabela-uso">
              <caption>Convites por dia</caption>
              <thead>
                <tr>
                  <th scope="col">Dia</th>
                  {USAGE_SERIES.map((name) => (
                    <th scope="col" class="num">
                      {SERIES_STYLE[name].label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {[...days].reverse().map((day) => (
                  <tr>
                    <th scope="row">
                      {day.day.slice(8, 10)}/{day.day.slice(5, 7)}/{day.day.slice(0, 4)}
                    </th>
                    {USAGE_SERIES.map((name) => (
                      <td class="num">{day.counts[name]}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </div>
      </div>
    ),
  });
}
