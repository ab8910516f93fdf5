import { SmtpConnection } from "./connection";
import { SmtpError, type SmtpStage } from "./errors";
import type { SecureTransport, SmtpConnect } from "./socket";

/** One message to hand to an SMTP server. */
export interface SmtpSubmission {
  host: string;
  port: number;
  /** `tls`: TLS from the first byte (port 465); `starttls`: upgrade, required; `none`: plain. */
  tls: "starttls" | "tls" | "none";
  user?: string;
  password?: string;
  /** The name this client gives in EHLO. */
  clientName: string;
  envelopeFrom: string;
  recipient: string;
  /** The whole RFC 5322 message; line breaks are normalised to CRLF and dots stuffed here. */
  message: string;
  /** Longest wait for any single reply or write. */
  timeoutMs: number;
}

const SECURE_TRANSPORT: Record<SmtpSubmission["tls"], SecureTransport> = {
  tls: "on",
  starttls: "starttls",
  none: "off",
};

/**
 * DATA transparency (RFC 5321 §4.5.2): CRLF line breaks, a dot doubled at the start of any line,
 * and the terminating `CRLF.CRLF`.
 */
export function dotStuff(message: string): string {
  const crlf = message.replace(/\r?\n/g, "\r\n").replace(/^\./gm, "..");
  return `${crlf.endsWith("\r\n") ? crlf : `${crlf}\r\n`}.\r\n`;
}

function base64Utf8(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** EHLO keywords (upper case) with their parameters, e.g. `AUTH` → `["PLAIN", "LOGIN"]`. */
function extensionsOf(lines: string[]): Map<string, string[]> {
  const extensions = new Map<string, string[]>();
  for (const line of lines.slice(1)) {
    const [keyword, ...params] = line.trim().split(/\s+/);
    if (keyword)
      extensions.set(
        keyword.toUpperCase(),
        params.map((param) => param.toUpperCase()),
      );
  }
  return extensions;
}

async function ehlo(connection: SmtpConnection, clientName: string): Promise<Map<string, string[]>> {
  const reply = await connection.command(`EHLO ${clientName}`, "ehlo", [250]);
  return extensionsOf(reply.lines);
}

async function authenticate(
  connection: SmtpConnection,
  extensions: Map<string, string[]>,
  user: string,
  password: string,
): Promise<void> {
  const mechanisms = extensions.get("AUTH") ?? [];
  if (mechanisms.includes("PLAIN")) {
    await connection.command(`AUTH PLAIN ${base64Utf8(`\u0000${user}\u0000${password}`)}`, "auth", [235]);
  } else if (mechanisms.includes("LOGIN")) {
    await connection.command("AUTH LOGIN", "auth", [334]);
    await connection.command(base64Utf8(user), "auth", [334]);
    await connection.command(base64Utf8(password), "auth", [235]);
  } else {
    throw new SmtpError("auth", "the server offers neither AUTH PLAIN nor AUTH LOGIN");
  }
}

/**
 * workerd reports a failed TLS handshake (an untrusted or mismatched certificate) as a bare
 * "internal error" or "cannot connect": say what probably happened, as the step that failed.
 */
async function tlsStep<T>(step: Promise<T>, stage: SmtpStage, host: string): Promise<T> {
  try {
    return await step;
  } catch (error) {
    if (!(error instanceof SmtpError) || error.replyCode !== undefined) throw error;
    throw new SmtpError(
      stage,
      `${error.detail} (TLS handshake failed? the certificate must be valid for ${host})`,
    );
  }
}

/**
 * Delivers one message: greeting, EHLO, STARTTLS when configured (refusing to continue in clear if
 * the server does not offer it), AUTH PLAIN or LOGIN, MAIL FROM, RCPT TO, DATA, QUIT. Every reply
 * code is checked; a failure throws `SmtpError` naming the step.
 */
export async function submitSmtp(submission: SmtpSubmission, connect: SmtpConnect): Promise<void> {
  let connection: SmtpConnection;
  try {
    connection = new SmtpConnection(
      connect(submission.host, submission.port, SECURE_TRANSPORT[submission.tls]),
      submission.timeoutMs,
    );
  } catch (error) {
    throw new SmtpError("connect", error instanceof Error ? error.message : String(error));
  }
  try {
    const opened = connection.opened().then(() => connection.expect("greeting", [220]));
    await (submission.tls === "tls" ? tlsStep(opened, "connect", submission.host) : opened);
    let extensions = await ehlo(connection, submission.clientName);
    if (submission.tls === "starttls") {
      if (!extensions.has("STARTTLS")) {
        throw new SmtpError("starttls", "the server does not offer STARTTLS (MAIL_TLS is starttls)");
      }
      await connection.command("STARTTLS", "starttls", [220]);
      connection.startTls();
      extensions = await tlsStep(ehlo(connection, submission.clientName), "starttls", submission.host);
    }
    if (submission.user !== undefined) {
      if (!extensions.has("AUTH")) throw new SmtpError("auth", "the server does not offer AUTH");
      await authenticate(connection, extensions, submission.user, submission.password ?? "");
    }
    await connection.command(`MAIL FROM:<${submission.envelopeFrom}>`, "mail-from", [250]);
    await connection.command(`RCPT TO:<${submission.recipient}>`, "rcpt-to", [250, 251]);
    await connection.command("DATA", "data", [354]);
    await connection.write(dotStuff(submission.message), "message");
    await connection.expect("message", [250]);
    // The message is accepted; a server that drops the line instead of answering QUIT changes nothing.
    await connection.command("QUIT", "message", [221]).catch(() => undefined);
  } finally {
    await connection.close();
  }
}
