import type { Context } from "hono";
import { AppError } from "../../platform/errors";

const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(;|$)/i;

/**
 * The fields of an HTML form post (`application/x-www-form-urlencoded`), first value of each name.
 * Another content type is 415 and a body over `maxBytes` is 413, counted on the stream so a missing
 * or lying Content-Length does not help.
 */
export async function readForm(c: Context, maxBytes: number): Promise<Record<string, string>> {
  if (!FORM_TYPE.test(c.req.header("content-type") ?? "")) {
    throw new AppError(
      "UNSUPPORTED_MEDIA_TYPE",
      "A page form is posted as application/x-www-form-urlencoded",
    );
  }
  const text = await readBounded(c.req.raw.body, maxBytes);
  const fields: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(text)) if (!(name in fields)) fields[name] = value;
  return fields;
}

async function readBounded(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<string> {
  if (!body) return "";
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new AppError("PAYLOAD_TOO_LARGE", `The body exceeds ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}
