import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config";
import type { Database } from "../../../src/db";
import { createD1Database } from "../../../src/db/d1";
import { createPostgresDatabase } from "../../../src/db/postgres";
import { CapturedEmailRepository, CaptureTransport } from "../../../src/features/email/transports/capture";
import { createEmailTransport } from "../../../src/features/email/transports/create-transport";
import { EmailServiceTransport } from "../../../src/features/email/transports/email-service";
import type { OutgoingEmail } from "../../../src/features/email/transports/transport";
import { ManualClock } from "../../../src/platform/clock";
import { createLogger } from "../../../src/platform/logger";
import { cryptoRandom } from "../../../src/platform/random";
import { postgresUrl } from "../../helpers/dialects";
import { logSink } from "../../helpers/email";

function outgoing(overrides: Partial<OutgoingEmail> = {}): OutgoingEmail {
  const unique = crypto.randomUUID();
  return {
    id: `evt_${unique}`,
    from: { name: "Edge Auth", address: "no-reply@example.test" },
    to: `Maria.${unique.slice(0, 8)}@Example.test`,
    subject: "Confirme seu e-mail no Edge Auth",
    text: `https://app.example.test/verify-email#token=vrf_${unique}`,
    html: `<a href="https://app.example.test/verify-email#token=vrf_${unique}">Confirmar</a>`,
    ...overrides,
  };
}

// The PostgreSQL client is not closed: see test/contract/email-deliveries.test.ts.
const databases: [string, Database][] = [
  ["D1", createD1Database(env.DB)],
  ["PostgreSQL", createPostgresDatabase(postgresUrl())],
];

describe.each(databases)("capture transport on %s", (_name, db) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));

  it("keeps each e-mail for tests to read, newest first, once per id, looked up in any case", async () => {
    const sink = logSink();
    const transport = new CaptureTransport(db, "development", clock, createLogger("info", {}, sink.write));
    const first = outgoing();
    const second = outgoing({ to: first.to.toUpperCase(), subject: "Second" });
    await transport.send(first);
    clock.advance(1000);
    await transport.send(second);
    await transport.send(second);
    const kept = await new CapturedEmailRepository(db).listTo(first.to.toLowerCase());
    expect(kept.map((email) => email.id)).toEqual([second.id, first.id]);
    expect(kept[1]).toEqual({
      id: first.id,
      from: "no-reply@example.test",
      to: first.to.toLowerCase(),
      subject: first.subject,
      text: first.text,
      html: first.html,
      capturedAt: new Date(Date.UTC(2026, 0, 1)),
    });
    // One line per e-mail, with the subject but without the address or the token.
    const notices = sink.entries().filter((entry) => entry.msg.startsWith("email captured"));
    expect(notices).toHaveLength(3);
    expect(notices[0]).toMatchObject({ level: "info", emailId: first.id, subject: first.subject });
    expect(notices[0]!.recipientHash).toMatch(/^[0-9a-f]{16}$/);
    expect(sink.lines.join("\n")).not.toMatch(/vrf_|example\.test/i);
  });

  it("refuses to run in production and keeps nothing", async () => {
    const transport = new CaptureTransport(
      db,
      "production",
      clock,
      createLogger("info", {}, () => undefined),
    );
    const email = outgoing();
    await expect(transport.send(email)).rejects.toThrow("disabled in production");
    expect(await new CapturedEmailRepository(db).listTo(email.to)).toEqual([]);
  });
});

describe("Cloudflare Email Service transport", () => {
  it("hands the structured message to the send_email binding", async () => {
    const calls: EmailMessageBuilder[] = [];
    const binding = {
      send: async (message: EmailMessageBuilder) => {
        calls.push(message);
        return { messageId: "<id@example.test>" };
      },
    };
    const email = outgoing();
    await new EmailServiceTransport(binding).send(email);
    await new EmailServiceTransport(binding).send({ ...email, from: { address: "bare@example.test" } });
    expect(calls).toEqual([
      {
        from: { name: "Edge Auth", email: "no-reply@example.test" },
        to: email.to,
        subject: email.subject,
        text: email.text,
        html: email.html,
      },
      { from: "bare@example.test", to: email.to, subject: email.subject, text: email.text, html: email.html },
    ]);
  });

  it("is accepted by the local send_email binding (EMAIL)", async () => {
    await expect(new EmailServiceTransport(env.EMAIL).send(outgoing())).resolves.toBeUndefined();
  });

  it("surfaces the binding's refusal as an error (the consumer retries it)", async () => {
    const binding = {
      send: async (): Promise<EmailSendResult> => {
        throw new Error("email to x@example.test not allowed");
      },
    };
    await expect(new EmailServiceTransport(binding).send(outgoing())).rejects.toThrow("not allowed");
  });
});

describe("createEmailTransport", () => {
  it("picks the transport MAIL_TRANSPORT names", () => {
    const db = createD1Database(env.DB);
    const shared = { db, clock: new ManualClock(), random: cryptoRandom, logger: createLogger("warn") };
    const pick = (vars: Record<string, string>) =>
      createEmailTransport(loadConfig({ ...env, ...vars } as Env), env, shared).name;
    expect(pick({ MAIL_TRANSPORT: "capture" })).toBe("capture");
    expect(pick({ MAIL_TRANSPORT: "email-service" })).toBe("email-service");
    expect(pick({ MAIL_TRANSPORT: "smtp", MAIL_HOST: "smtp.example.test" })).toBe("smtp");
  });
});
