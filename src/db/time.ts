/**
 * Times are stored as integer epoch milliseconds on both dialects (see src/db/schema/sqlite.ts);
 * repositories turn nullable timestamp columns back into dates with this.
 */
export function dateOrNull(epochMs: number | null): Date | null {
  return epochMs === null ? null : new Date(epochMs);
}
