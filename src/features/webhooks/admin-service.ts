import { AppError } from "../../platform/errors";
import type { Shared } from "../../shared";
import type {
  WebhookDelivery,
  WebhookDeliveryPage,
  WebhookDeliveryRepository,
  WebhookDeliveryStatus,
} from "./deliveries";

export type WebhookAdminDeps = Pick<Shared, "clock" | "audit" | "webhooks" | "logger"> & {
  deliveries: WebhookDeliveryRepository;
};

/**
 * The delivery log as admins see it, and redelivery of a failed event. The log never shows a
 * payload (`invite.created` carries a code): only ids, status, attempts and the last error.
 */
export class WebhookAdminService {
  constructor(private readonly deps: WebhookAdminDeps) {}

  list(query: {
    status?: WebhookDeliveryStatus;
    cursor?: string;
    limit: number;
  }): Promise<WebhookDeliveryPage> {
    return this.deps.deliveries.list(query);
  }

  /**
   * Queues a failed (dead-lettered) event again, with the same event id and sealed payload, so the
   * receiver gets the same `webhook-id` and body. The row goes back to `pending` first, by one
   * conditional statement, so two admins redelivering at once queue it once; an event that is not
   * failed is 409 (pending: still on its way; delivered: done), an unknown one 404.
   */
  async redeliver(actorId: string, eventId: string): Promise<WebhookDelivery> {
    const { deps } = this;
    const audit = (result: "success" | "failure", reason?: string) =>
      deps.audit.record({
        event: "webhook.redeliver",
        result,
        reason,
        actorId,
        targetType: "webhook_event",
        targetId: eventId.slice(0, 128),
      });
    const delivery = await deps.deliveries.find(eventId);
    if (!delivery) {
      await audit("failure", "not_found");
      throw new AppError("NOT_FOUND", "No webhook event with this id");
    }
    if (!deps.webhooks.enabled) {
      await audit("failure", "webhooks_off");
      throw new AppError("CONFLICT", "Webhooks are off (TOKENS_WEBHOOK_URL is not set)");
    }
    const at = deps.clock.now();
    if (!(await deps.deliveries.resetForRedelivery(eventId, at))) {
      await audit("failure", delivery.status);
      throw new AppError(
        "CONFLICT",
        `The event is ${delivery.status}; only a failed event can be redelivered`,
      );
    }
    try {
      await deps.webhooks.resend(delivery);
    } catch (error) {
      await deps.deliveries.restoreFailed(eventId, deps.clock.now());
      deps.logger.error("webhook redelivery not queued", { eventId, error });
      throw new AppError("DEPENDENCY_UNAVAILABLE", "The event could not be queued again; try later", {
        cause: error,
      });
    }
    await audit("success");
    return { ...delivery, status: "pending", updatedAt: at };
  }
}
