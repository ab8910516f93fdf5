import { SmtpError, type SmtpStage } from "./errors";
import type { SmtpSocket } from "./socket";

/** One SMTP reply: the three-digit code and the text of each line (multi-line replies joined). */
export interface SmtpReply {
  code: number;
  lines: string[];
}

const REPLY_LINE = /^(\d{3})([ -])(.*)$/;
const MAX_LINE_CHARS = 4096;
const MAX_REPLY_LINES = 128;

/**
 * Reads SMTP replies and writes commands over a socket, with a timeout on every wait. Replies are
 * read line by line from however the bytes arrive, since TCP keeps no message boundaries.
 */
export class SmtpConnection {
  #socket: SmtpSocket;
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #decoder = new TextDecoder();
  #buffer = "";
  readonly #encoder = new TextEncoder();

  constructor(
    socket: SmtpSocket,
    private readonly timeoutMs: number,
  ) {
    this.#socket = socket;
    this.#reader = socket.readable.getReader();
    this.#writer = socket.writable.getWriter();
  }

  /** Waits for the connection to be established (refused, unreachable and TLS errors land here). */
  async opened(): Promise<void> {
    await this.#withTimeout(this.#socket.opened, "connect");
  }

  /** Reads one complete reply (all lines of a multi-line reply). */
  async read(stage: SmtpStage): Promise<SmtpReply> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.#readLine(stage);
      const match = REPLY_LINE.exec(line) ?? /^(\d{3})()$/.exec(line);
      if (!match) throw new SmtpError(stage, `malformed reply line "${line.slice(0, 200)}"`);
      lines.push(match[3] ?? "");
      const code = Number(match[1]);
      if (match[2] !== "-") return { code, lines };
      if (lines.length >= MAX_REPLY_LINES) throw new SmtpError(stage, "reply has too many lines");
    }
  }

  /**
   * Sends a command and checks the reply code. Commands are never quoted in errors (AUTH lines
   * carry the credentials): errors quote only the server's reply.
   */
  async command(line: string, stage: SmtpStage, expected: number[]): Promise<SmtpReply> {
    if (/[\r\n]/.test(line)) throw new SmtpError(stage, "a command must not contain a line break");
    await this.write(`${line}\r\n`, stage);
    return this.expect(stage, expected);
  }

  /** Reads a reply and throws `SmtpError` unless its code is one of `expected`. */
  async expect(stage: SmtpStage, expected: number[]): Promise<SmtpReply> {
    const reply = await this.read(stage);
    if (!expected.includes(reply.code)) {
      throw new SmtpError(stage, `${reply.code} ${reply.lines.join(" / ")}`.slice(0, 500), reply.code);
    }
    return reply;
  }

  async write(text: string, stage: SmtpStage): Promise<void> {
    await this.#withTimeout(this.#writer.write(this.#encoder.encode(text)), stage);
  }

  /** Upgrades the connection to TLS after the server accepted STARTTLS. */
  startTls(): void {
    if (this.#buffer) throw new SmtpError("starttls", "the server sent data before the TLS handshake");
    this.#reader.releaseLock();
    this.#writer.releaseLock();
    this.#socket = this.#socket.startTls();
    this.#reader = this.#socket.readable.getReader();
    this.#writer = this.#socket.writable.getWriter();
    this.#decoder = new TextDecoder();
  }

  async close(): Promise<void> {
    await this.#socket.close().catch(() => undefined);
  }

  async #readLine(stage: SmtpStage): Promise<string> {
    for (;;) {
      const end = this.#buffer.indexOf("\r\n");
      if (end >= 0) {
        const line = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        return line;
      }
      if (this.#buffer.length > MAX_LINE_CHARS) throw new SmtpError(stage, "reply line too long");
      const { value, done } = await this.#withTimeout(this.#reader.read(), stage);
      if (done) throw new SmtpError(stage, "the server closed the connection");
      this.#buffer += this.#decoder.decode(value, { stream: true });
    }
  }

  async #withTimeout<T>(operation: Promise<T>, stage: SmtpStage): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new SmtpError(stage, `no answer within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
    });
    try {
      return await Promise.race([operation, timeout]);
    } catch (error) {
      if (error instanceof SmtpError) throw error;
      // Socket errors (refused connection, TLS handshake) carry no secrets; keep their text.
      throw new SmtpError(stage, error instanceof Error ? error.message : String(error));
    } finally {
      clearTimeout(timer);
    }
  }
}
