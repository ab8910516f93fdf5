/**
 * Structured JSON logs, one object a line, carrying the request and trace ids. Values under keys
 * that name secrets are replaced before anything is written, as a last line of defence: code should
 * not pass secrets to the logger in the first place.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|codigo|^code$|private|otp|recovery/i;

/** The LOG_LEVEL variable as a level; anything unknown means "info". Read before config loads. */
export function logLevelOf(value: string | undefined): LogLevel {
  return value === "debug" || value === "warn" || value === "error" ? value : "info";
}

/** Copies `fields` with secret-looking keys redacted, at any depth. */
export function redact(fields: unknown, depth = 0): unknown {
  if (depth > 5 || fields === null || typeof fields !== "object") return fields;
  if (fields instanceof Error) return { name: fields.name, message: fields.message };
  if (Array.isArray(fields)) return fields.map((item) => redact(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    copy[key] = SECRET_KEY.test(key) ? "[redacted]" : redact(value, depth + 1);
  }
  return copy;
}

/**
 * @example
 * const log = createLogger("info", { requestId });
 * log.info("user registered", { userId });
 */
export function createLogger(
  level: LogLevel,
  base: LogFields = {},
  write: (line: string) => void = console.log,
): Logger {
  const emit = (at: LogLevel, message: string, fields?: LogFields) => {
    if (ORDER[at] < ORDER[level]) return;
    const entry = {
      time: new Date().toISOString(),
      level: at,
      msg: message,
      ...base,
      ...(redact(fields ?? {}) as LogFields),
    };
    write(JSON.stringify(entry));
  };
  return {
    debug: (message, fields) => emit("debug", message, fields),
    info: (message, fields) => emit("info", message, fields),
    warn: (message, fields) => emit("warn", message, fields),
    error: (message, fields) => emit("error", message, fields),
    child: (fields) => createLogger(level, { ...base, ...(redact(fields) as LogFields) }, write),
  };
}
