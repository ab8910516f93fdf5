import { createRoute } from "@hono/zod-openapi";
import { type App, type JsonResponseOf, problemResponses } from "../../../http/openapi";
import { authenticate, authorize } from "../../authorization/middleware";
import { securityFor } from "../../authorization/security";
import { EventIdParams, WebhookDeliverySchema } from "../schemas";
import { deliveryView } from "../views";

export const redeliverWebhookRoute = createRoute({
  method: "post",
  path: "/api/webhooks/deliveries/{event_id}/redeliver/",
  operationId: "redeliverWebhook",
  tags: ["Webhooks"],
  summary: "Queue a failed webhook event again",
  description:
    "Only for a `failed` event (every retry failed): it is queued again with the same event id and body, so receivers that already saw it deduplicate by `webhook-id`. A pending or delivered event is 409, as is any event while webhooks are off; unknown is 404. Audited.",
  security: securityFor("webhooks:redeliver"),
  middleware: [authenticate(), authorize("webhooks:redeliver")] as const,
  request: { params: EventIdParams },
  responses: {
    202: {
      description: "Queued again; the row is pending",
      content: { "application/json": { schema: WebhookDeliverySchema } },
    },
    ...problemResponses(400, 401, 403, 404, 409, 429, 503),
  },
});

export type RedeliverWebhookResponse = JsonResponseOf<typeof redeliverWebhookRoute, 202>;

export function registerRedeliverWebhook(app: App): void {
  app.openapi(redeliverWebhookRoute, async (c) => {
    const { event_id } = c.req.valid("param");
    const delivery = await c.get("services").webhooks.redeliver(c.var.principal.userId, event_id);
    return c.json(deliveryView(delivery), 202);
  });
}
