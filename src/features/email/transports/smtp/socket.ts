import { connect } from "cloudflare:sockets";

/** A TCP connection as the SMTP client uses it; `startTls` upgrades it in place (STARTTLS). */
export interface SmtpSocket {
  /** Settles once the TCP connection (and TLS, for `on`) is established, or rejects. */
  readonly opened: Promise<unknown>;
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  startTls(): SmtpSocket;
  close(): Promise<void>;
}

/** `on`: TLS from the first byte; `starttls`: plain, upgradable later; `off`: never encrypted. */
export type SecureTransport = "on" | "off" | "starttls";

export type SmtpConnect = (host: string, port: number, secureTransport: SecureTransport) => SmtpSocket;

/** Workers TCP sockets; the certificate is checked against `host` on `on` and after `startTls()`. */
export const workersConnect: SmtpConnect = (host, port, secureTransport) =>
  connect({ hostname: host, port }, { secureTransport, allowHalfOpen: false });
