import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { vi } from "vitest";
import {
  associatedDataOf,
  type EmailMessage,
  openEmail,
  type QueuedEmail,
} from "../../src/features/email/message";
import type { RandomSource } from "../../src/platform/random";
import { SecretBox } from "../../src/platform/secret-box";

/** A valid queued e-mail message for a fresh recipient; override any field. */
export function emailMessage(overrides: Partial<EmailMessage> = {}): EmailMessage {
  const unique = crypto.randomUUID();
  return {
    id: `evt_${unique}`,
    template: "password-reset",
    to: `maria-${unique.slice(0, 8)}@example.test`,
    data: { name: "Maria", token: `prs_secret-${unique}`, expiresInMinutes: "60" },
    requestId: `req_${unique.slice(0, 12)}`,
    traceId: unique.replace(/-/g, ""),
    ...overrides,
  };
}

/** The `data` box of an environment, as `shared.secretBoxes.data()` builds it. */
export function dataBox(workerEnv: Pick<Env, "DATA_ENCRYPTION_KEY">): Promise<SecretBox> {
  return SecretBox.fromKeys(workerEnv.DATA_ENCRYPTION_KEY);
}

/**
 * A Queue body as the outbox sends it: an e-mail-message-shaped object gets its `data` sealed
 * (even when another field is invalid, so poison stays poison); anything else is left as it is.
 */
export async function asQueued(body: unknown, workerEnv: Pick<Env, "DATA_ENCRYPTION_KEY">): Promise<unknown> {
  if (body === null || typeof body !== "object" || !("data" in body)) return body;
  const { data, ...rest } = body as EmailMessage;
  const sealedData = await (await dataBox(workerEnv)).seal(JSON.stringify(data), associatedDataOf(rest));
  return { ...rest, sealedData };
}

/** The message a Queue body carries, opened as the consumer opens it. */
export async function openQueued(
  body: QueuedEmail,
  workerEnv: Pick<Env, "DATA_ENCRYPTION_KEY">,
): Promise<EmailMessage> {
  const opened = await openEmail(body, await dataBox(workerEnv));
  if (!opened.ok) throw new Error(`the queued e-mail does not open (${opened.reason})`);
  return opened.message;
}

/** Randomness that always returns the same byte: makes jittered delays exact. */
export const constantRandom = (byte: number): RandomSource => ({
  bytes: (length) => new Uint8Array(length).fill(byte),
});

/** Collects JSON log lines written by `createLogger(level, base, write)`. */
export function logSink() {
  const lines: string[] = [];
  return {
    lines,
    write: (line: string) => {
      lines.push(line);
    },
    entries: () =>
      lines.map((line) => JSON.parse(line) as Record<string, unknown> & { level: string; msg: string }),
  };
}

export type QueueHandler = (batch: MessageBatch<unknown>, env: Env, ctx: ExecutionContext) => Promise<void>;

/**
 * Runs `handler` on a batch made with `createMessageBatch` and returns `getQueueResult` plus the
 * options each `retry`/`retryAll` was called with: the plugin's result leaves out `delaySeconds`,
 * so spies on the batch record them.
 */
export async function runQueueBatch(
  handler: QueueHandler,
  queue: string,
  messages: { id: string; body: unknown; attempts?: number }[],
  env: Env,
) {
  const bodies = await Promise.all(messages.map((message) => asQueued(message.body, env)));
  const batch = createMessageBatch(
    queue,
    messages.map((message, index) => ({
      id: message.id,
      timestamp: new Date(),
      attempts: message.attempts ?? 1,
      body: bodies[index],
    })),
  );
  const retries: Record<string, QueueRetryOptions | undefined> = {};
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    vi.spyOn(message, "retry").mockImplementation((options) => {
      retries[message.id] = options;
      retry(options);
    });
  }
  const retryAll = batch.retryAll.bind(batch);
  const retryAllCalls: (QueueRetryOptions | undefined)[] = [];
  vi.spyOn(batch, "retryAll").mockImplementation((options) => {
    retryAllCalls.push(options);
    retryAll(options);
  });
  const ctx = createExecutionContext();
  await handler(batch, env, ctx);
  return { ...(await getQueueResult(batch, ctx)), retries, retryAllCalls };
}
