/**
 * A session-timeout field as the API's schema reads it: empty is null (the operator's default), a
 * whole number is that number, anything else stays text so the schema refuses it by name.
 */
export function timeoutField(text: string | undefined): number | string | null {
  const value = (text ?? "").trim();
  if (value === "") return null;
  return /^\d{1,9}$/.test(value) ? Number(value) : value;
}
