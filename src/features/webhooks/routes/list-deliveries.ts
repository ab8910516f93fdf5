import { createRoute } from "@hono/zod-openapi";
import { type App, type JsonResponseOf, problemResponses } from "../../../http/openapi";
import { authenticate, authorize } from "../../authorization/middleware";
import { securityFor } from "../../authorization/security";
import { ListDeliveriesQuery, WebhookDeliveryPageSchema } from "../schemas";
import { deliveryPageView } from "../views";

export const listWebhookDeliveriesRoute = createRoute({
  method: "get",
  path: "/api/webhooks/deliveries/",
  operationId: "listWebhookDeliveries",
  tags: ["Webhooks"],
  summary: "The webhook delivery log",
  description:
    "One row per invite event sent to `TOKENS_WEBHOOK_URL`: event id (the `webhook-id`), attempts, last HTTP status and error, newest first; filter by `status`. The destination is one per deployment, so admins and root read the whole log. Payloads are never shown.",
  security: securityFor("webhooks:read"),
  middleware: [authenticate(), authorize("webhooks:read")] as const,
  request: { query: ListDeliveriesQuery },
  responses: {
    200: {
      description: "One page of the log",
      content: { "application/json": { schema: WebhookDeliveryPageSchema } },
    },
    ...problemResponses(400, 401, 403, 429),
  },
});

export type ListWebhookDeliveriesResponse = JsonResponseOf<typeof listWebhookDeliveriesRoute>;

export function registerListWebhookDeliveries(app: App): void {
  app.openapi(listWebhookDeliveriesRoute, async (c) => {
    const page = await c.get("services").webhooks.list(c.req.valid("query"));
    return c.json(deliveryPageView(page), 200);
  });
}
