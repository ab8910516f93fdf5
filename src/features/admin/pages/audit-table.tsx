import { displaySafe } from "../../audit/display";
import type { ChainedAuditLog } from "../../audit/repository";
import { when } from "../layout";
import { DataTable, type DataTableProps } from "../table-page";

/** What an audit table shows: its caption, and whether it has the target column. */
export interface AuditTableOptions {
  caption: string;
  /** The target column, unless the page is about the target. */
  showTarget?: boolean;
}

/**
 * Audit rows as a table's parts (for `DataTable` or `TablePage`): when, event, result (and why),
 * who, the target (unless the page is about it), IP and user agent (made safe to display).
 */
export function auditTable(
  rows: readonly ChainedAuditLog[],
  { caption, showTarget = false }: AuditTableOptions,
): DataTableProps<ChainedAuditLog> {
  return {
    caption,
    columns: ["Quando", "Evento", "Resultado", "Quem", ...(showTarget ? ["Alvo"] : []), "IP", "Navegador"],
    items: rows,
    empty: "Nenhum registro.",
    row: (row) => (
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
    ),
  };
}

/** Audit rows as a table of their own (an invite's history). */
export function AuditTable({ rows, ...options }: AuditTableOptions & { rows: ChainedAuditLog[] }) {
  return <DataTable {...auditTable(rows, options)} />;
}
