import type { Child } from "hono/jsx";
import { NextPage, TableWrap } from "./layout";

/** A column header: its text, and whether its cells are numbers (right-aligned). */
export type TableColumn = string | { label: string; numeric: true };

/** The GET form above a list: its accessible name, its fields and the button's words. */
export interface TableFilters {
  action: string;
  label: string;
  fields: Child;
  /** The button's text; "Filtrar" unless the form is a search. */
  submit?: string;
}

/** The "next page" link: the list's path, the filters to keep and the cursor of the next page. */
export interface TablePager {
  path: string;
  query: Record<string, string | undefined>;
  cursor: string | null;
}

/** What `DataTable` takes. */
export interface DataTableProps<T> {
  /** The table's caption (read by screen readers) and the name of its scrolling region. */
  caption: string;
  columns: readonly TableColumn[];
  items: readonly T[];
  /** One `<tr>` per item. */
  row: (item: T) => Child;
  /** Said instead of the table when there are no items; null says nothing. */
  empty: string | null;
}

/** What `TablePage` takes: a `DataTable`, its filters form above it and its pager below. */
export interface TablePageProps<T> extends DataTableProps<T> {
  filters?: TableFilters;
  pager?: TablePager;
}

/**
 * A table in the console's one shape: a keyboard-scrollable named region, a visually hidden
 * caption, scoped column headers, and an empty state in words instead of an empty grid.
 */
export function DataTable<T>({ caption, columns, items, row, empty }: DataTableProps<T>) {
  if (items.length === 0) return empty === null ? null : <p>{empty}</p>;
  return (
    <TableWrap label={caption}>
      <table>
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) =>
              typeof column === "string" ? (
                <th scope="col">{column}</th>
              ) : (
                <th scope="col" class="num">
                  {column.label}
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>{items.map(row)}</tbody>
      </table>
    </TableWrap>
  );
}

/**
 * Every list page of the console: the filters form (GET, so a filtered list is a link), the table
 * with its empty state, and the cursor pager that keeps the filters.
 */
export function TablePage<T>({ filters, pager, ...table }: TablePageProps<T>) {
  return (
    <>
      {filters ? (
        <form method="get" action={filters.action} class="filters" aria-label={filters.label}>
          {filters.fields}
          <button type="submit" class="secondary">
            {filters.submit ?? "Filtrar"}
          </button>
        </form>
      ) : null}
      <DataTable {...table} />
      {pager ? <NextPage {...pager} /> : null}
    </>
  );
}
