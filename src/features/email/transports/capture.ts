import { sql } from "drizzle-orm";
import type { Database } from "../../../db";
import type { Clock } from "../../../platform/clock";
import type { Logger } from "../../../platform/logger";
import { recipientHash } from "../address";
import type { EmailTransport, OutgoingEmail } from "./transport";

/** An e-mail as the capture transport keeps it. */
export interface CapturedEmail {
  id: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  capturedAt: Date;
}

interface CapturedRow {
  id: string;
  from_address: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  captured_at: number;
}

/**
 * Development and test transport: keeps each e-mail in the `captured_emails` table (D1 or
 * PostgreSQL) instead of sending it, and logs one line without the body. It refuses to run when
 * ENVIRONMENT is production, where it would keep live tokens in a table and deliver nothing.
 */
export class CaptureTransport implements EmailTransport {
  readonly name = "capture";

  constructor(
    private readonly db: Database,
    private readonly environment: string,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async send(email: OutgoingEmail): Promise<void> {
    if (this.environment === "production") {
      throw new Error("The capture transport is disabled in production; set MAIL_TRANSPORT");
    }
    await this.db.run(sql`
      INSERT INTO captured_emails (id, from_address, to_address, subject, text_body, html_body, captured_at)
      VALUES (${email.id}, ${email.from.address}, ${email.to.toLowerCase()}, ${email.subject}, ${email.text},
              ${email.html}, ${this.clock.now().getTime()})
      ON CONFLICT (id) DO NOTHING`);
    this.logger.info("email captured (not sent): MAIL_TRANSPORT is capture", {
      emailId: email.id,
      recipientHash: await recipientHash(email.to),
      subject: email.subject,
    });
  }
}

/** Reads what the capture transport kept: for tests and local inspection. */
export class CapturedEmailRepository {
  constructor(private readonly db: Database) {}

  /** E-mails captured for `to` (any case), newest first. */
  async listTo(to: string): Promise<CapturedEmail[]> {
    const rows = await this.db.all<CapturedRow>(sql`
      SELECT id, from_address, to_address, subject, text_body, html_body, captured_at FROM captured_emails
      WHERE to_address = ${to.toLowerCase()} ORDER BY captured_at DESC, id DESC`);
    return rows.map((row) => ({
      id: row.id,
      from: row.from_address,
      to: row.to_address,
      subject: row.subject,
      text: row.text_body,
      html: row.html_body,
      capturedAt: new Date(Number(row.captured_at)),
    }));
  }
}
