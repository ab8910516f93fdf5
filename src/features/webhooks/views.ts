import type { z } from "@hono/zod-openapi";
import type { WebhookDelivery, WebhookDeliveryPage } from "./deliveries";
import type { WebhookDeliveryPageSchema, WebhookDeliverySchema } from "./schemas";

/** A delivery log row on the wire, without its sealed payload. */
export function deliveryView(delivery: WebhookDelivery): z.infer<typeof WebhookDeliverySchema> {
  return {
    event_id: delivery.eventId,
    event: delivery.event,
    invite_id: delivery.subjectId,
    url: delivery.url,
    status: delivery.status,
    attempts: delivery.attempts,
    last_status: delivery.lastStatus,
    last_error: delivery.lastError,
    created_at: delivery.createdAt.toISOString(),
    updated_at: delivery.updatedAt.toISOString(),
    delivered_at: delivery.deliveredAt?.toISOString() ?? null,
  };
}

export function deliveryPageView(page: WebhookDeliveryPage): z.infer<typeof WebhookDeliveryPageSchema> {
  return { items: page.items.map(deliveryView), next_cursor: page.nextCursor };
}
