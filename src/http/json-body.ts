import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { AppError } from "../platform/errors";
import type { AppEnv } from "./hono-env";

const METHODS_WITH_BODY = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const JSON_TYPE = /^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/i;

/**
 * Guards every request body: over `maxBodyBytes` → 413 (counted on the stream, so a missing or
 * lying Content-Length does not help), a non-JSON Content-Type → 415, unparsable JSON → 400.
 * The parsed body is cached by Hono, so route validators do not parse it again. `formPaths` are
 * server-rendered pages whose HTML forms post `application/x-www-form-urlencoded`; they read and
 * bound their bodies themselves (`features/web/form-body.ts`); `formPrefixes` are whole trees of
 * such pages (the admin console under `/admin/`).
 *
 * @example app.use("*", jsonBody(() => config.maxBodyBytes, { formPaths: ["/tokens/ativar-2fa/"] }));
 */
export function jsonBody(
  maxBytes: (env: Env) => number,
  options: { formPaths?: readonly string[]; formPrefixes?: readonly string[] } = {},
) {
  const formPaths = new Set(options.formPaths ?? []);
  const formPrefixes = options.formPrefixes ?? [];
  const isFormPage = (path: string) =>
    formPaths.has(path) || formPrefixes.some((prefix) => path.startsWith(prefix));
  return createMiddleware<AppEnv>(async (c, next) => {
    if (!METHODS_WITH_BODY.has(c.req.method) || !hasBody(c.req.raw) || isFormPage(c.req.path)) return next();
    const contentType = c.req.header("content-type") ?? "";
    if (!JSON_TYPE.test(contentType)) throw new AppError("UNSUPPORTED_MEDIA_TYPE");
    const limit = bodyLimit({
      maxSize: maxBytes(c.env),
      onError: () => {
        throw new AppError("PAYLOAD_TOO_LARGE", `The body exceeds ${maxBytes(c.env)} bytes`);
      },
    });
    return limit(c, async () => {
      try {
        await c.req.json();
      } catch (error) {
        if (error instanceof AppError) throw error;
        throw new AppError("MALFORMED_JSON", "The request body could not be parsed as JSON");
      }
      await next();
    });
  });
}

function hasBody(request: Request): boolean {
  const length = request.headers.get("content-length");
  if (length !== null) return length !== "0";
  return request.body !== null;
}
