import type { Shared } from "../../shared";
import { AuditLogRepository } from "../audit/repository";
import { InviteAccess } from "./access";
import { InviteCreationService } from "./creation-service";
import { InviteEvents } from "./events";
import { InviteQueryService } from "./query-service";
import { InviteRepository } from "./repository";
import { InviteRevocationService } from "./revocation-service";
import { InviteUsageService } from "./usage-service";
import { InviteValidationService } from "./validation-service";

/** Invites, as `services.invites`. */
export interface InviteServices {
  creation: InviteCreationService;
  validation: InviteValidationService;
  usage: InviteUsageService;
  revocation: InviteRevocationService;
  queries: InviteQueryService;
}

/** What the invite services are built from. */
export type InviteShared = Pick<
  Shared,
  | "config"
  | "db"
  | "clock"
  | "random"
  | "logger"
  | "client"
  | "tenants"
  | "audit"
  | "metrics"
  | "inviteQuota"
  | "webhooks"
  | "background"
>;

/** Wires the invite services over one repository, one access policy and one event recorder. */
export function createInviteServices(shared: InviteShared): InviteServices {
  const invites = new InviteRepository(shared.db);
  const access = new InviteAccess(shared.tenants);
  const events = new InviteEvents(shared);
  const common = { ...shared, invites, access, events };
  return {
    creation: new InviteCreationService(common),
    validation: new InviteValidationService(common),
    usage: new InviteUsageService(common),
    revocation: new InviteRevocationService(common),
    queries: new InviteQueryService({ ...common, auditLogs: new AuditLogRepository(shared.db) }),
  };
}
