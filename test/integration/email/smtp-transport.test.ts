import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { SmtpConfig } from "../../../src/config";
import { renderEmail } from "../../../src/features/email/render";
import { submitSmtp } from "../../../src/features/email/transports/smtp/client";
import { SmtpError } from "../../../src/features/email/transports/smtp/errors";
import { workersConnect } from "../../../src/features/email/transports/smtp/socket";
import { SmtpTransport } from "../../../src/features/email/transports/smtp/transport";
import type { OutgoingEmail } from "../../../src/features/email/transports/transport";
import { createQueueHandler, QUEUES } from "../../../src/jobs/queue";
import { ManualClock } from "../../../src/platform/clock";
import { cryptoRandom } from "../../../src/platform/random";
import { emailMessage, runQueueBatch } from "../../helpers/email";
import { receivedFor, smtpServer, uniqueRecipient } from "../../helpers/smtp-server";

// Against a real SMTP server process (aiosmtpd, started by test/setup/email.ts), never a mock.

const clock = new ManualClock(Date.UTC(2026, 10, 23, 15, 5, 13));

function config(overrides: Partial<SmtpConfig> = {}): SmtpConfig {
  return {
    host: smtpServer.host,
    port: smtpServer.ports.plain,
    tls: "none",
    user: smtpServer.user,
    password: smtpServer.password,
    ...overrides,
  };
}

function email(to: string): OutgoingEmail {
  const rendered = renderEmail(
    {
      template: "password-reset",
      data: { name: "João <b>&</b> Ção", token: "prs_AbC-123_xyz", expiresInMinutes: "60" },
    },
    { appName: "Edge Auth Ñandú", baseUrl: "https://app.example.test" },
  );
  return {
    id: "evt_01smtptest",
    from: { name: "Edge Auth — Segurança", address: "no-reply@example.test" },
    to,
    ...rendered,
  };
}

async function sendAndReceive(overrides: Partial<SmtpConfig>, label: string) {
  const to = uniqueRecipient(label);
  const outgoing = email(to);
  await new SmtpTransport(config(overrides), workersConnect, clock, cryptoRandom).send(outgoing);
  const received = await receivedFor(to);
  expect(received).toHaveLength(1);
  return { outgoing, received: received[0]! };
}

function header(message: { parsed: { headers: [string, string][] } }, name: string): string | undefined {
  return message.parsed.headers.find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
}

describe("SMTP transport against a real SMTP server", () => {
  it("plain connection with AUTH PLAIN: the message arrives intact (UTF-8 subject, both parts)", async () => {
    const { outgoing, received } = await sendAndReceive({}, "plain");
    expect(received.server).toBe("plain");
    expect(received.tls).toBe(false);
    expect(received.authLogin).toBe(smtpServer.user);
    expect(received.ehlo).toBe("example.test");
    expect(received.mailFrom).toBe("no-reply@example.test");
    expect(received.parsed.defects).toEqual([]);
    expect(received.parsed.subject).toBe(outgoing.subject);
    expect(received.parsed.subject).toBe("Redefinição de senha no Edge Auth Ñandú");
    expect(received.parsed.from).toBe("Edge Auth — Segurança <no-reply@example.test>");
    expect(received.parsed.to).toBe(outgoing.to);
    expect(received.parsed.contentType).toBe("multipart/alternative");
    expect(received.parsed.parts.map((part) => [part.contentType, part.charset])).toEqual([
      ["text/plain", "utf-8"],
      ["text/html", "utf-8"],
    ]);
    expect(received.parsed.parts[0]!.content.replace(/\r\n/g, "\n")).toBe(outgoing.text);
    expect(received.parsed.parts[1]!.content.replace(/\r\n/g, "\n")).toBe(outgoing.html);
    expect(header(received, "MIME-Version")).toBe("1.0");
    expect(header(received, "Message-ID")).toBe("<evt_01smtptest@example.test>");
    expect(header(received, "Date")).toBe("Mon, 23 Nov 2026 15:05:13 +0000");
    // Every raw line is ASCII and short: nothing relies on 8BITMIME or SMTPUTF8.
    for (const line of received.raw.split("\r\n")) {
      expect(line).toMatch(/^[\x20-\x7e\t]*$/);
      expect(line.length).toBeLessThanOrEqual(78);
    }
  });

  it("AUTH LOGIN when the server does not offer PLAIN", async () => {
    const { received } = await sendAndReceive({ port: smtpServer.ports.login }, "login");
    expect(received.server).toBe("login");
    expect(received.authLogin).toBe(smtpServer.user);
  });

  it("STARTTLS with certificate verification, then AUTH", async () => {
    const { received } = await sendAndReceive(
      { host: smtpServer.tlsHost, port: smtpServer.ports.starttls, tls: "starttls" },
      "starttls",
    );
    expect(received.server).toBe("starttls");
    expect(received.tls).toBe(true);
    expect(received.authLogin).toBe(smtpServer.user);
  });

  it("implicit TLS (port 465 style) with certificate verification", async () => {
    const { received } = await sendAndReceive(
      { host: smtpServer.tlsHost, port: smtpServer.ports.smtps, tls: "tls" },
      "smtps",
    );
    expect(received.server).toBe("smtps");
    expect(received.tls).toBe(true);
  });

  it("dot-stuffing: lines that start with dots arrive unchanged", async () => {
    const to = uniqueRecipient("dots");
    const body = [".", ".leading dot", "..two dots", "middle . dot", "...", "end."].join("\r\n");
    const message = `From: a@example.test\r\nTo: ${to}\r\nSubject: dots\r\n\r\n${body}\r\n`;
    await submitSmtp(
      {
        host: smtpServer.host,
        port: smtpServer.ports.plain,
        tls: "none",
        user: smtpServer.user,
        password: smtpServer.password,
        clientName: "example.test",
        envelopeFrom: "a@example.test",
        recipient: to,
        message,
        timeoutMs: 10_000,
      },
      workersConnect,
    );
    const [received] = await receivedFor(to);
    expect(received!.raw).toBe(message);
  });
});

describe("SMTP failures are clear errors without secrets", () => {
  const failure = async (overrides: Partial<SmtpConfig>, to = uniqueRecipient("fail")) => {
    const error = await new SmtpTransport(config(overrides), workersConnect, clock, cryptoRandom)
      .send(email(to))
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(SmtpError);
    expect(await receivedFor(to)).toEqual([]);
    return error as SmtpError;
  };

  it("a wrong password fails at auth with the server's 535, and never shows the password", async () => {
    const error = await failure({ password: "wrong-Pa55word" });
    expect(error.stage).toBe("auth");
    expect(error.replyCode).toBe(535);
    expect(error.message).toContain("535");
    expect(error.message).not.toContain("wrong-Pa55word");
    expect(error.message).not.toContain(btoa("wrong-Pa55word"));
  });

  it("missing credentials where the server requires AUTH fail at mail-from", async () => {
    const error = await failure({ user: undefined, password: undefined });
    expect(error.stage).toBe("mail-from");
    expect(error.replyCode).toBe(530);
  });

  it("a refused recipient fails at rcpt-to with 550, the address masked", async () => {
    const to = uniqueRecipient("reject");
    const error = await failure({}, to);
    expect(error.stage).toBe("rcpt-to");
    expect(error.replyCode).toBe(550);
    expect(error.message).not.toContain(to);
  });

  it("MAIL_TLS starttls against a server without STARTTLS refuses to continue in clear", async () => {
    const error = await failure({ tls: "starttls" });
    expect(error.stage).toBe("starttls");
    expect(error.message).toContain("does not offer STARTTLS");
  });

  it("a certificate that does not name the host is refused (implicit TLS and STARTTLS)", async () => {
    // The test certificate names localhost only; 127.0.0.1 is the same server under another name.
    const implicit = await failure({ host: smtpServer.host, port: smtpServer.ports.smtps, tls: "tls" });
    expect(implicit.stage).toBe("connect");
    expect(implicit.message).toContain("certificate must be valid for 127.0.0.1");
    const upgraded = await failure({
      host: smtpServer.host,
      port: smtpServer.ports.starttls,
      tls: "starttls",
    });
    expect(upgraded.stage).toBe("starttls");
    expect(upgraded.message).toContain("certificate must be valid for 127.0.0.1");
  });

  it("a closed port fails at connect", async () => {
    const error = await failure({ port: 1 });
    expect(error.stage).toBe("connect");
  });
});

describe("the e-mail queue handler with MAIL_TRANSPORT=smtp", () => {
  it("delivers a queued message over STARTTLS with AUTH, and acknowledges it", async () => {
    const smtpEnv = {
      ...env,
      MAIL_TRANSPORT: "smtp",
      MAIL_HOST: smtpServer.tlsHost,
      MAIL_PORT: String(smtpServer.ports.starttls),
      MAIL_TLS: "starttls",
      MAIL_USER: smtpServer.user,
      MAIL_PASSWORD: smtpServer.password,
      MAIL_FROM: "Edge Auth <no-reply@example.test>",
      APP_BASE_URL: "https://app.example.test",
    } as Env;
    const message = emailMessage({ template: "verify-email", to: uniqueRecipient("queued") });
    const handler = createQueueHandler({ clock, random: cryptoRandom });
    const result = await runQueueBatch(handler, QUEUES.email, [{ id: "q1", body: message }], smtpEnv);
    expect(result.explicitAcks).toEqual(["q1"]);
    const [received] = await receivedFor(message.to);
    expect(received).toMatchObject({ server: "starttls", tls: true, authLogin: smtpServer.user });
    expect(received!.parsed.subject).toBe("Confirme seu e-mail no Edge Auth");
    expect(received!.parsed.parts[0]!.content).toContain(
      `https://app.example.test/verify-email#token=${message.data.token}`,
    );
  });
});
