import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { expect } from "vitest";
import { buildApp } from "../../src/app";
import type { RegisterResponse } from "../../src/features/accounts/registration/routes/register";
import type { LoginResponse } from "../../src/features/accounts/sessions/routes/login";
import type { EmailMessage, QueuedEmail } from "../../src/features/email/message";
import type { WebhookMessage } from "../../src/features/webhooks/events";
import type { Problem } from "../../src/http/error-handler";
import { ManualClock } from "../../src/platform/clock";
import { cryptoRandom } from "../../src/platform/random";
import { openQueued } from "./email";

/** Sends requests to the Worker: `SELF` (the deployed shape) or a harness app with a manual clock. */
export type Send = (path: string, init?: RequestInit) => Promise<Response>;

export const viaSelf: Send = (path, init) => SELF.fetch(`https://auth.test${path}`, init);

/**
 * The real app (`buildApp`) over the test file's real D1, with a manual clock and the e-mail and
 * webhook Queue bindings replaced by ones that record what the outboxes send. Each request runs
 * to the end of its `waitUntil` work (deferred e-mails included) before the response is returned.
 */
export interface Harness {
  clock: ManualClock;
  /** The e-mails queued, opened as the consumer opens them (`data` in clear). */
  emails: EmailMessage[];
  /** The same, as the Queue received them (`data` sealed). */
  queued: QueuedEmail[];
  webhooks: WebhookMessage[];
  send: Send;
  /** The CF-Connecting-IP every request of this harness carries unless it sets its own. */
  clientIp: string;
  /** The audit rows this harness's requests wrote (matched by its client IP), in the order written. */
  auditRows(): Promise<Array<Record<string, unknown>>>;
}

/**
 * A distinct client IP (IPv6 documentation range). Test files share one D1 (`isolate: false`), so a
 * test that reads audit rows reads those of its own client only.
 */
export function uniqueClientIp(): string {
  const [a, b] = crypto.getRandomValues(new Uint16Array(2));
  return `2001:db8:${a!.toString(16)}:${b!.toString(16)}::1`;
}

/** `send` with a client IP of its own on every request that does not set one. */
export function asClient(send: Send, ip = uniqueClientIp()): { send: Send; ip: string } {
  return {
    ip,
    send: (path, init = {}) => {
      const headers = new Headers(init.headers);
      if (!headers.has("cf-connecting-ip")) headers.set("cf-connecting-ip", ip);
      return send(path, { ...init, headers });
    },
  };
}

/** A Queue binding that hands every message body to `keep`. */
function recordingQueue<Body>(keep: (body: Body) => void | Promise<void>): Queue {
  const queue = {
    async send(body: Body) {
      await keep(body);
    },
    async sendBatch(messages: Iterable<{ body: Body }>) {
      for (const message of messages) await keep(message.body);
    },
  };
  return queue as unknown as Queue;
}

export function createHarness(
  vars: Partial<Record<keyof Env, string>> = {},
  { origin = "https://auth.test", clientIp = uniqueClientIp() }: { origin?: string; clientIp?: string } = {},
): Harness {
  const clock = new ManualClock(Date.now());
  const emails: EmailMessage[] = [];
  const queued: QueuedEmail[] = [];
  const webhooks: WebhookMessage[] = [];
  const harnessEnv = {
    ...env,
    // The harness waits for every waitUntil of a request (waitOnExecutionContext), and the request
    // that plans a metrics flush keeps it for METRICS_FLUSH_DELAY_MS (1 s): at the default, nearly
    // every harness request took a second of idle waiting. Flushed at once instead; a test about
    // the coalescing passes its own delay (test/integration/metrics.test.ts reads it through SELF).
    METRICS_FLUSH_DELAY_MS: "0",
    ...vars,
    EMAIL_QUEUE: recordingQueue<QueuedEmail>(async (body) => {
      queued.push(body);
      emails.push(await openQueued(body, harnessEnv));
    }),
    WEBHOOK_QUEUE: recordingQueue<WebhookMessage>((body) => {
      webhooks.push(body);
    }),
  } as Env;
  const app = buildApp({ clock, random: cryptoRandom });
  const client = asClient(async (path, init) => {
    const ctx = createExecutionContext();
    const response = await app.fetch(new Request(`${origin}${path}`, init), harnessEnv, ctx);
    await waitOnExecutionContext(ctx);
    return response;
  }, clientIp);
  return {
    clock,
    emails,
    queued,
    webhooks,
    send: client.send,
    clientIp: client.ip,
    auditRows: () => auditRows(client.ip),
  };
}

export function jsonRequest(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Bodies as the route files declare them (never redeclared here). */
export type TokenPairBody = LoginResponse;
export type ProblemBody = Problem;

/** Asserts a problem+json response with this status and returns its body. */
export async function expectProblem(response: Response, status: number, code?: string): Promise<ProblemBody> {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  const problem = (await response.json()) as ProblemBody;
  expect(problem.status).toBe(status);
  if (code) expect(problem.code).toBe(code);
  return problem;
}

/** The fields of a 400 that failed, e.g. `["body.password"]`. */
export async function expectInvalidFields(response: Response): Promise<string[]> {
  const problem = await expectProblem(response, 400, "VALIDATION_FAILED");
  return (problem.errors ?? []).map((error) => error.field);
}

let counter = 0;

/** A registration body unique within the run (D1 is per file; PostgreSQL is shared). */
export function newAccount(
  overrides: Partial<{ username: string; email: string; password: string; name: string }> = {},
) {
  const tag = `${Date.now().toString(36)}${(counter++).toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  return {
    username: `user.${tag}`,
    email: `user.${tag}@example.com`,
    password: `tangerine voyage ${tag}`,
    name: `User ${tag}`,
    ...overrides,
  };
}

export async function register(send: Send, account = newAccount()) {
  const response = await send("/auth/register", jsonRequest(account));
  expect(response.status).toBe(201);
  const body = (await response.json()) as RegisterResponse;
  return { account, tokens: body as TokenPairBody, userId: body.user.id };
}

export async function login(send: Send, identifier: string, password: string): Promise<TokenPairBody> {
  const response = await send("/auth/login", jsonRequest({ identifier, password }));
  expect(response.status).toBe(200);
  return (await response.json()) as TokenPairBody;
}

/** Signs in as the development admin (seed 002's `admin` / `admin`, created on first use). */
export function loginAsAdmin(send: Send): Promise<TokenPairBody> {
  return login(send, "admin", "admin");
}

export async function refresh(send: Send, refreshToken: string): Promise<Response> {
  return send("/auth/refresh", jsonRequest({ refreshToken }));
}

/** The JSON of a JWT's header or payload, without verifying anything. */
export function decodeJwt(token: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
} {
  const [header, payload] = token
    .split(".")
    .slice(0, 2)
    .map((part) => JSON.parse(atob(part.replace(/-/g, "+").replace(/_/g, "/"))));
  return { header, payload };
}

/** Every audit row, in the order written: filter by ids your test created (files share one D1). */
export async function allAuditRows(): Promise<Array<Record<string, unknown>>> {
  const { results } = await env.DB.prepare("SELECT * FROM audit_logs ORDER BY rowid").all();
  return results;
}

/** The audit rows of one client IP (see `asClient`), in the order written. */
export async function auditRows(ip: string): Promise<Array<Record<string, unknown>>> {
  const { results } = await env.DB.prepare("SELECT * FROM audit_logs WHERE ip = ? ORDER BY rowid")
    .bind(ip)
    .all();
  return results;
}
