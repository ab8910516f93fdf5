/**
 * The one error type of the service. Services and middleware throw `AppError(code, detail)`;
 * `renderProblem` in `error-handler.ts` turns it into RFC 9457 problem+json. A code's HTTP status
 * and title live only in `ERROR_CATALOG`, so a status is decided in exactly one place.
 */
export const ERROR_CATALOG = {
  VALIDATION_FAILED: { status: 400, title: "The request is invalid" },
  MALFORMED_JSON: { status: 400, title: "The request body is not valid JSON" },
  CODE_REJECTED: { status: 400, title: "The code is wrong, expired or already used" },
  UNAUTHENTICATED: { status: 401, title: "Authentication is required" },
  INVALID_CREDENTIALS: { status: 401, title: "Invalid credentials" },
  INVALID_TOKEN: { status: 401, title: "The token is invalid or expired" },
  TWO_FACTOR_REQUIRED: { status: 401, title: "A second factor is required" },
  INVALID_TWO_FACTOR_CODE: { status: 401, title: "The second factor is wrong or was already used" },
  FORBIDDEN: { status: 403, title: "You are not allowed to do this" },
  NOT_FOUND: { status: 404, title: "Not found" },
  ROUTE_NOT_FOUND: { status: 404, title: "No such route" },
  CONFLICT: { status: 409, title: "The request conflicts with the current state" },
  GONE: { status: 410, title: "The resource has expired" },
  PAYLOAD_TOO_LARGE: { status: 413, title: "The request body is too large" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: "The request body must be application/json" },
  RATE_LIMITED: { status: 429, title: "Too many requests" },
  INTERNAL: { status: 500, title: "Internal error" },
  DEPENDENCY_UNAVAILABLE: { status: 503, title: "A dependency is unavailable" },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

/** One invalid field of a request, as listed in a problem's `errors`. */
export interface FieldError {
  /** Where the value came from and its path, e.g. `body.email` or `query.codigo`. */
  field: string;
  message: string;
}

export interface AppErrorOptions {
  errors?: FieldError[];
  /** Extra response headers, e.g. `Retry-After` or `WWW-Authenticate`. */
  headers?: Record<string, string>;
  cause?: unknown;
}

/**
 * @example throw new AppError("NOT_FOUND", "No invite with this id");
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors?: FieldError[];
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, detail?: string, options: AppErrorOptions = {}) {
    super(
      detail ?? ERROR_CATALOG[code].title,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "AppError";
    this.code = code;
    this.status = ERROR_CATALOG[code].status;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }
}
