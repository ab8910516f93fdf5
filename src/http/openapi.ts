import { OpenAPIHono, z } from "@hono/zod-openapi";
import { AppError, ERROR_CATALOG, type ErrorCode } from "../platform/errors";
import { fieldErrors } from "./error-handler";
import type { AppEnv } from "./hono-env";

/** The app type every `register…(app)` function takes. */
export type App = OpenAPIHono<AppEnv>;

/** An OpenAPIHono whose request validation failures become `AppError("VALIDATION_FAILED")`. */
export function createApp(): App {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        throw new AppError("VALIDATION_FAILED", "One or more fields are invalid", {
          // A JSON body is validated as Hono's `json` target; problems name it `body`, as documented.
          errors: fieldErrors(result.target === "json" ? "body" : result.target, result.error),
        });
      }
    },
  });
}

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: "/problems/validation-failed" }),
    title: z.string().openapi({ example: "The request is invalid" }),
    status: z.number().int().openapi({ example: 400 }),
    detail: z.string(),
    code: z.enum(Object.keys(ERROR_CATALOG) as [ErrorCode, ...ErrorCode[]]),
    requestId: z.string().openapi({ example: "req_5f2b8c1d9e0a7b3c4d5e6f70" }),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi("Problem");

const STATUS_TEXT: Record<number, string> = {
  400: "Invalid input (malformed JSON or failed validation, with per-field `errors`)",
  401: "Missing or invalid credentials",
  403: "Authenticated but not allowed",
  404: "Not found",
  409: "Conflicts with the current state",
  410: "Expired",
  413: "Request body too large",
  415: "Request body is not application/json",
  429: "Rate limited; see Retry-After",
  500: "Internal error",
  503: "A dependency is unavailable",
};

// The headers SPEC promises with these statuses, declared so clients generated from the document
// can read them: the error handler always sets WWW-Authenticate on a 401, the rate limiter
// Retry-After on a 429.
const STATUS_HEADERS: Record<
  number,
  Record<string, { description: string; schema: { type: "string" | "integer" } }>
> = {
  401: {
    "WWW-Authenticate": {
      description: 'The authentication scheme to use, e.g. `Bearer realm="edge-auth"`',
      schema: { type: "string" },
    },
  },
  429: {
    "Retry-After": { description: "Seconds to wait before trying again", schema: { type: "integer" } },
  },
};

/**
 * problem+json responses for a route definition (401 and 429 with their WWW-Authenticate and
 * Retry-After headers).
 *
 * @example responses: { 200: …, ...problemResponses(400, 401, 429) }
 */
export function problemResponses<const S extends number>(...statuses: S[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: STATUS_TEXT[status] ?? "Error",
        ...(STATUS_HEADERS[status] ? { headers: STATUS_HEADERS[status] } : {}),
        content: { "application/problem+json": { schema: ProblemSchema } },
      },
    ]),
  ) as Record<
    S,
    { description: string; content: { "application/problem+json": { schema: typeof ProblemSchema } } }
  >;
}

/** Problems any JSON-body route can answer, whatever its own rules. */
export const JSON_BODY_PROBLEMS = [400, 413, 415] as const;

/**
 * The JSON body a route answers with `status`, from its own schema: route files export these
 * (`export type LoginResponse = JsonResponseOf<typeof loginRoute>`) and tests use them, so a body
 * is declared once.
 */
export type JsonResponseOf<Route, Status extends number = 200> = Route extends {
  responses: Record<Status, { content: { "application/json": { schema: infer Schema } } }>;
}
  ? Schema extends z.ZodType
    ? z.infer<Schema>
    : never
  : never;
