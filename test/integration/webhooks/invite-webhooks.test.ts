import { env } from "cloudflare:test";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { loadConfig } from "../../../src/config";
import type { ListWebhookDeliveriesResponse } from "../../../src/features/webhooks/routes/list-deliveries";
import type { RedeliverWebhookResponse } from "../../../src/features/webhooks/routes/redeliver";
import { createQueueHandler, QUEUES } from "../../../src/jobs/queue";
import { ManualClock } from "../../../src/platform/clock";
import { hexEncode } from "../../../src/platform/encoding";
import { createHarness, expectProblem, type Harness } from "../../helpers/accounts";
import { constantRandom, runQueueBatch } from "../../helpers/email";
import { type Actor, createInvite, tenantSlug, userWithRole } from "../../helpers/invites";

// Invite events from the request to the receiver: the harness records what a request queues, the
// Worker's real queue handler (real data key, configured secrets and URL) delivers it to a
// receiver standing in for `fetch`, and the admin routes read and redeliver the log.

const URL_SET = "https://hooks.example.com/edge-auth?token=receiver-secret";
const SECRETS = ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "a-plain-rotated-secret"];
const VARS = { TOKENS_WEBHOOK_URL: URL_SET, TOKEN_WEBHOOK_SECRET: SECRETS.join(" ") };
const workerEnv = { ...env, ...VARS } as Env;

afterEach(() => {
  vi.restoreAllMocks();
});

interface Received {
  url: string;
  body: string;
  headers: Record<string, string>;
  redirect: RequestInit["redirect"];
}

/** Stands in for `fetch`: answers from a script (the last answer repeats), recording each request. */
function receiver(...statuses: number[]) {
  const received: Received[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    received.push({
      url: String(input),
      body: String(init?.body),
      headers: init?.headers as Record<string, string>,
      redirect: init?.redirect,
    });
    const status = statuses[Math.min(received.length, statuses.length) - 1]!;
    return new Response(null, {
      status,
      headers: status === 302 ? { location: "http://169.254.169.254/" } : {},
    });
  });
  return received;
}

// The verifier compares webhook-timestamp with the real time: the handler's clock starts there.
const handler = createQueueHandler({ clock: new ManualClock(Date.now()), random: constantRandom(0) });
const deliver = (h: Harness, attempts = 1) =>
  runQueueBatch(
    handler,
    QUEUES.webhooks,
    h.webhooks.map((body, index) => ({ id: `q${index}`, body, attempts })),
    workerEnv,
  );

async function hmacHex(secret: string, body: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return hexEncode(new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(body))));
}

async function setup() {
  const h = createHarness(VARS);
  const admin = await userWithRole(h.send, "admin", [tenantSlug()]);
  return { h, admin };
}

const deliveries = async (h: Harness, actor: Actor, query = "") => {
  const response = await h.send(`/api/webhooks/deliveries/${query}`, { headers: actor.auth });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as ListWebhookDeliveriesResponse;
};

describe("invite webhooks, through the Worker's queue handler", () => {
  it("delivers invite.created with the code, signed: standardwebhooks verifies it, each X-Hubx-Signature recomputes", async () => {
    const { h, admin } = await setup();
    const invite = await createInvite(h.send, admin);
    const received = receiver(204);
    const result = await deliver(h);
    expect(result.explicitAcks).toEqual(["q0"]);
    const [request] = received as [Received];
    expect(request.url).toBe(URL_SET);
    expect(request.redirect).toBe("manual");
    expect(JSON.parse(request.body)).toEqual({
      event: "invite.created",
      id: invite.id,
      code: invite.codigo,
      occurred_at: invite.created_at,
    });
    expect(new Webhook(SECRETS[0]!).verify(request.body, request.headers)).toMatchObject({
      code: invite.codigo,
    });
    const key = Uint8Array.from(atob(SECRETS[0]!.slice(6)), (char) => char.charCodeAt(0));
    const hmacKey = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
    ]);
    const first = hexEncode(
      new Uint8Array(await crypto.subtle.sign("HMAC", hmacKey, new TextEncoder().encode(request.body))),
    );
    expect(request.headers["x-hubx-signature"]).toBe(
      `sha256=${first} sha256=${await hmacHex(SECRETS[1]!, request.body)}`,
    );
    expect(request.headers["webhook-id"]).toBe(h.webhooks[0]!.eventId);
  });

  it("a receiver failing once then succeeding: retried, then delivered; the log shows two attempts", async () => {
    const { h, admin } = await setup();
    const invite = await createInvite(h.send, admin);
    const received = receiver(503, 200);
    const firstTry = await deliver(h, 1);
    expect(firstTry.retryMessages.map((retry: { msgId: string }) => retry.msgId)).toEqual(["q0"]);
    expect(firstTry.retries.q0?.delaySeconds).toBeGreaterThanOrEqual(30);
    const secondTry = await deliver(h, 2);
    expect(secondTry.explicitAcks).toEqual(["q0"]);
    expect(received[1]!.headers["webhook-id"]).toBe(received[0]!.headers["webhook-id"]);
    expect(received[1]!.body).toBe(received[0]!.body);
    const log = await deliveries(h, admin);
    expect(log.items[0]).toMatchObject({
      event_id: h.webhooks[0]!.eventId,
      event: "invite.created",
      invite_id: invite.id,
      url: "https://hooks.example.com/…",
      status: "delivered",
      attempts: 2,
      last_status: 200,
      last_error: null,
    });
    expect(JSON.stringify(log)).not.toContain(invite.codigo);
    expect(JSON.stringify(log)).not.toContain("receiver-secret");
  });

  it("retries exhausted: the event is failed and dead-lettered; an admin redelivers it once, with the same id", async () => {
    const { h, admin } = await setup();
    const invite = await createInvite(h.send, admin);
    await h.send(`/api/tokens/${invite.id}/revogar/`, { method: "POST", headers: admin.auth });
    const maxRetries = loadConfig(workerEnv).webhooks.maxRetries;
    receiver(302);
    const last = await deliver(h, maxRetries + 1);
    expect(last.retryMessages).toEqual([{ msgId: "q0" }, { msgId: "q1" }]);
    const failed = await deliveries(h, admin, "?status=failed");
    expect(failed.items.map((item) => [item.event, item.last_status, item.last_error]).sort()).toEqual([
      ["invite.created", 302, "redirect 302 not followed"],
      ["invite.revoked", 302, "redirect 302 not followed"],
    ]);

    const eventId = failed.items.find((item) => item.event === "invite.revoked")!.event_id;
    const queued = h.webhooks.length;
    const [again, twice] = await Promise.all([
      h.send(`/api/webhooks/deliveries/${eventId}/redeliver/`, { method: "POST", headers: admin.auth }),
      h.send(`/api/webhooks/deliveries/${eventId}/redeliver/`, { method: "POST", headers: admin.auth }),
    ]);
    expect([again.status, twice.status].sort()).toEqual([202, 409]);
    const accepted = (await (again.status === 202 ? again : twice).json()) as RedeliverWebhookResponse;
    expect(accepted).toMatchObject({ event_id: eventId, status: "pending" });
    expect(h.webhooks.slice(queued).map((message) => message.eventId)).toEqual([eventId]);

    const received = receiver(204);
    const redelivered = await runQueueBatch(
      handler,
      QUEUES.webhooks,
      [{ id: "r1", body: h.webhooks.at(-1) }],
      workerEnv,
    );
    expect(redelivered.explicitAcks).toEqual(["r1"]);
    expect(JSON.parse(received[0]!.body)).toMatchObject({ event: "invite.revoked", id: invite.id });
    const delivered = await deliveries(h, admin, "?status=delivered");
    expect(delivered.items.find((item) => item.event_id === eventId)).toMatchObject({
      status: "delivered",
      attempts: 2,
    });
    await expectProblem(
      await h.send(`/api/webhooks/deliveries/${eventId}/redeliver/`, { method: "POST", headers: admin.auth }),
      409,
    );
  });

  it("the delivery routes: 404 for an unknown event, 401 without a token, 403 below admin", async () => {
    const { h } = await setup();
    const admin = await userWithRole(h.send, "admin");
    await expectProblem(
      await h.send("/api/webhooks/deliveries/evt_unknown/redeliver/", {
        method: "POST",
        headers: admin.auth,
      }),
      404,
    );
    await expectProblem(await h.send("/api/webhooks/deliveries/"), 401);
    const gestor = await userWithRole(h.send, "gestor", [tenantSlug()]);
    await expectProblem(await h.send("/api/webhooks/deliveries/", { headers: gestor.auth }), 403);
    await expectProblem(
      await h.send("/api/webhooks/deliveries/evt_x/redeliver/", { method: "POST", headers: gestor.auth }),
      403,
    );
  });

  it("without TOKENS_WEBHOOK_URL the handler acknowledges every message unsent", async () => {
    const { h, admin } = await setup();
    await createInvite(h.send, admin);
    const received = receiver(204);
    const result = await runQueueBatch(handler, QUEUES.webhooks, [{ id: "q0", body: h.webhooks[0] }], env);
    expect(result.explicitAcks).toEqual(["q0"]);
    expect(received).toEqual([]);
  });
});

describe("the webhook consumer agrees with wrangler.toml", () => {
  const settings = inject("webhookQueue");
  it("queue name, max_retries (WEBHOOK_MAX_RETRIES) and dead-letter queue", () => {
    expect(settings.queue).toBe(QUEUES.webhooks);
    expect(settings.maxRetries).toBe(loadConfig(env).webhooks.maxRetries);
    expect(settings.deadLetterQueue).toBe("edge-auth-webhooks-dlq");
  });
});
