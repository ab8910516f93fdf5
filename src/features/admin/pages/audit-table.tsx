import { displaySafe } from "../../audit/display";
import type { ChainedAuditLog } from "../../audit/repository";
import { TableWrap, when } from "../layout";

/**
 * Audit rows as a table: when, event, result (and why), who, the target (unless the page is about
 * it), IP and user agent (made safe to display).
 */
export function AuditTable({
  rows,
  caption,
  showTarget = false,
}: {
  rows: ChainedAuditLog[];
  caption: string;
  showTarget?: boolean;
}) {
  if (rows.length === 0) return <p>Nenhum registro.</p>;
  return (
    <TableWrap label={caption}>
      <table>
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Quando</th>
            <th scope="col">Evento</th>
            <th scope="col">Resultado</th>
            <th scope="col">Quem</th>
            {showTarget ? <th scope="col">Alvo</th> : null}
            <th scope="col">IP</th>
            <th scope="col">Navegador</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr>
              <td>{when(row.createdAt)}</td>
              <td>{row.event}</td>
              <td>
                {row.result === "success" ? "sucesso" : "falha"}
                {row.reason ? ` (${row.reason})` : ""}
              </td>
              <td>{row.actorId ? <code>{row.actorId}</code> : "—"}</td>
              {showTarget ? (
                <td>
                  {row.targetType ?? "—"} {row.targetId ? <code>{row.targetId}</code> : null}
                </td>
              ) : null}
              <td>{row.ip ?? "—"}</td>
              <td class="ua">{displaySafe(row.userAgent, 120) ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}
