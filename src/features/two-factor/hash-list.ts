import { type SQL, sql } from "drizzle-orm";

/**
 * The stored-hash candidates of one typed code (its digest under each configured key) as the
 * parameters of `code_hash IN (…)`. A string is one candidate; a list is never empty.
 */
export function hashList(hashes: string | readonly string[]): SQL {
  const list = typeof hashes === "string" ? [hashes] : hashes;
  if (list.length === 0) throw new RangeError("hashList: at least one hash is needed");
  return sql.join(
    list.map((hash) => sql`${hash}`),
    sql`, `,
  );
}
