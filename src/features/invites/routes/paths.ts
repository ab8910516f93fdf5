/**
 * The two path families every invite route is served under (SPEC: seeds 000 and 001 use both):
 * `/api/tokens/…` and the alias `/api/tokens/tokens/…`, same handler, same rules. The alias has its
 * own operation id (suffix `Alias`) so the OpenAPI document lists both.
 */
export const INVITE_PATH_FAMILIES = [
  { base: "/api/tokens", operationSuffix: "", note: "" },
  {
    base: "/api/tokens/tokens",
    operationSuffix: "Alias",
    note: " Alias of the same route under `/api/tokens/` (seed 000's path family).",
  },
] as const;

/** One of `INVITE_PATH_FAMILIES`. */
export type InvitePathFamily = (typeof INVITE_PATH_FAMILIES)[number];
