import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ZodError } from "zod";
import { AppError, ERROR_CATALOG, type ErrorCode, type FieldError } from "../platform/errors";
import type { AppEnv } from "./hono-env";

/** The problem+json body (RFC 9457) every error response carries. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  requestId: string;
  errors?: FieldError[];
}

function problemType(code: ErrorCode): string {
  return `/problems/${code.toLowerCase().replace(/_/g, "-")}`;
}

/** Renders an AppError; the only place an error body is built. */
export function renderProblem(c: Context<AppEnv>, error: AppError): Response {
  const body: Problem = {
    type: problemType(error.code),
    title: ERROR_CATALOG[error.code].title,
    status: error.status,
    detail: error.message,
    code: error.code,
    requestId: c.get("trace")?.requestId ?? "",
    ...(error.errors ? { errors: error.errors } : {}),
  };
  const headers = new Headers({ "content-type": "application/problem+json", "cache-control": "no-store" });
  for (const [name, value] of Object.entries(error.headers)) headers.set(name, value);
  if (error.status === 401 && !headers.has("www-authenticate"))
    headers.set("www-authenticate", 'Bearer realm="edge-auth"');
  return new Response(JSON.stringify(body), { status: error.status, headers });
}

/** zod issues as `errors` entries: `body.email`, `query.codigo`, … */
export function fieldErrors(target: string, error: ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    field: [target, ...issue.path.map(String)].join("."),
    message: issue.message,
  }));
}

const HTTP_EXCEPTION_CODES: Record<number, ErrorCode> = {
  400: "MALFORMED_JSON",
  401: "UNAUTHENTICATED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
};

/** `app.onError`: AppError as problem+json; anything unexpected is logged and becomes a bare 500. */
export const onError: ErrorHandler<AppEnv> = (error, c) => {
  if (error instanceof AppError) {
    if (error.status >= 500)
      c.get("logger")?.error("request failed", { errorCode: error.code, error: error.cause ?? error });
    return renderProblem(c, error);
  }
  if (error instanceof HTTPException && HTTP_EXCEPTION_CODES[error.status]) {
    return renderProblem(c, new AppError(HTTP_EXCEPTION_CODES[error.status]!));
  }
  c.get("logger")?.error("unhandled error", {
    error:
      error instanceof Error
        ? { name: error.name, message: error.message, stack: error.stack }
        : String(error),
  });
  return renderProblem(
    c,
    new AppError("INTERNAL", "An unexpected error occurred; quote the requestId when reporting it"),
  );
};

/** `app.notFound`: unknown routes get problem+json like everything else. */
export const notFound: NotFoundHandler<AppEnv> = (c) =>
  // The path is not echoed: an unknown path may still carry a secret a client pasted into it.
  renderProblem(c, new AppError("ROUTE_NOT_FOUND", "No route matches this method and path"));
