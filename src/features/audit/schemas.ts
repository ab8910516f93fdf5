import { z } from "@hono/zod-openapi";
import { MAX_CHAIN_PAGE } from "./chain-service";

/** One audit row as the API shows it. */
export const AuditEntrySchema = z
  .object({
    id: z.string().openapi({ example: "aud_06h0j4mzd049b7r6qr1w6tgk9w" }),
    action: z.string().openapi({ description: "What happened, e.g. `invite.use`", example: "invite.use" }),
    result: z.enum(["success", "failure"]),
    reason: z.string().nullable().openapi({ description: "Why it failed (or a detail of a success)" }),
    actor_id: z.string().nullable(),
    target_type: z.string().nullable(),
    target_id: z.string().nullable(),
    tenant_id: z.string().nullable(),
    ip: z.string().nullable(),
    user_agent: z
      .string()
      .nullable()
      .openapi({ description: "Control and bidi characters escaped as `\\u{…}`; at most 256 characters" }),
    request_id: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
    created_at: z.iso.datetime(),
    chain: z
      .object({ seq: z.number().int(), hash: z.string() })
      .nullable()
      .openapi({ description: "The row's place in the hash chain; null until the row is sealed" }),
  })
  .openapi("AuditEntry");

export const AuditPageSchema = z
  .object({ items: z.array(AuditEntrySchema), next_cursor: z.string().nullable() })
  .openapi("AuditPage");

export const ListAuditLogsQuery = z.object({
  actor: z.string().min(1).max(64).optional().openapi({ description: "Actor's user id" }),
  target: z.string().min(1).max(128).optional().openapi({ description: "Target id (a user, an invite…)" }),
  target_type: z.string().min(1).max(32).optional().openapi({ example: "invite" }),
  action: z.string().min(1).max(64).optional().openapi({ example: "invite.revoke" }),
  from: z.iso.datetime({ offset: true }).optional().openapi({ description: "Rows at or after this instant" }),
  to: z.iso.datetime({ offset: true }).optional().openapi({ description: "Rows before this instant" }),
  cursor: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .openapi({ description: "`next_cursor` of the previous page" }),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const VerifyChainBody = z
  .object({
    after_seq: z
      .number()
      .int()
      .min(0)
      .optional()
      .openapi({ description: "Check positions after this one (default 0)" }),
    limit: z.number().int().min(1).max(MAX_CHAIN_PAGE).default(1000).openapi({
      description: "Most rows to seal first, and most positions to check",
    }),
  })
  .openapi("VerifyAuditChainRequest");

export const ChainReportSchema = z
  .object({
    valid: z.boolean(),
    sealed_now: z
      .number()
      .int()
      .openapi({ description: "Rows this call linked into the chain before checking" }),
    head: z.object({ seq: z.number().int(), hash: z.string() }).nullable(),
    unsealed: z
      .number()
      .int()
      .openapi({ description: "Rows not in the chain yet (not protected until sealed)" }),
    checked: z.object({ from_seq: z.number().int(), to_seq: z.number().int() }),
    first_broken: z
      .object({
        seq: z.number().int(),
        id: z.string().nullable(),
        problem: z.enum(["missing", "altered", "head_mismatch", "beyond_head"]),
      })
      .nullable(),
    next_after_seq: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "Pass as `after_seq` to check the next page; null when done" }),
  })
  .openapi("AuditChainReport");
