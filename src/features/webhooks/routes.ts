import type { App } from "../../http/openapi";
import { registerListWebhookDeliveries } from "./routes/list-deliveries";
import { registerRedeliverWebhook } from "./routes/redeliver";

/** The admin side of webhooks: the delivery log and redelivery. */
export function registerWebhookRoutes(app: App): void {
  registerListWebhookDeliveries(app);
  registerRedeliverWebhook(app);
}
