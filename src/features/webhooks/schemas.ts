import { z } from "@hono/zod-openapi";
import { WEBHOOK_EVENTS } from "./events";

/** One event of the delivery log as admins see it: no payload, ever (it may carry a code). */
export const WebhookDeliverySchema = z
  .object({
    event_id: z
      .string()
      .openapi({ description: "The `webhook-id` receivers see", example: "evt_06h0j4mzd049b7r6qr1w6tgk9w" }),
    event: z.enum(WEBHOOK_EVENTS),
    invite_id: z.string(),
    url: z.string().openapi({
      description:
        "The receiver's origin, followed by `/…` when its URL has a path: paths and query strings often carry the receiver's credential, so neither is logged",
    }),
    status: z.enum(["pending", "delivered", "failed"]).openapi({
      description:
        "`pending`: queued or retrying; `delivered`: a 2xx; `failed`: every retry failed (dead-lettered)",
    }),
    attempts: z.number().int(),
    last_status: z.number().int().nullable().openapi({ description: "HTTP status of the latest attempt" }),
    last_error: z.string().nullable(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
    delivered_at: z.iso.datetime().nullable(),
  })
  .openapi("WebhookDelivery");

export const WebhookDeliveryPageSchema = z
  .object({ items: z.array(WebhookDeliverySchema), next_cursor: z.string().nullable() })
  .openapi("WebhookDeliveryPage");

export const ListDeliveriesQuery = z.object({
  status: z.enum(["pending", "delivered", "failed"]).optional(),
  cursor: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .openapi({ description: "`next_cursor` of the previous page" }),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const EventIdParams = z.object({
  event_id: z
    .string()
    .min(1)
    .max(128)
    .openapi({ param: { name: "event_id", in: "path" }, example: "evt_06h0j4mzd049b7r6qr1w6tgk9w" }),
});
