import { describe, expect, it } from "vitest";
import { domainOf, maskAddresses, parseMailbox, recipientHash } from "../../../src/features/email/address";
import {
  buildMimeMessage,
  encodeHeaderText,
  foldHeader,
  formatDate,
  formatMailbox,
} from "../../../src/features/email/mime";
import { dotStuff } from "../../../src/features/email/transports/smtp/client";
import type { RandomSource } from "../../../src/platform/random";

const fixedRandom: RandomSource = { bytes: (length) => new Uint8Array(length).fill(0xab) };

function decodeWords(value: string): string {
  return value
    .replace(/\r\n /g, " ")
    .split(" ")
    .map((word) => {
      const match = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=$/.exec(word);
      return match
        ? new TextDecoder().decode(Uint8Array.from(atob(match[1]!), (c) => c.charCodeAt(0)))
        : word;
    })
    .join("");
}

describe("MIME headers", () => {
  it("short printable ASCII stays as it is", () => {
    expect(encodeHeaderText("Confirm your e-mail")).toBe("Confirm your e-mail");
  });

  it("UTF-8 becomes encoded words of at most 75 characters that decode back, split between characters", () => {
    const subject = "Redefinição de senha — 🔐 çãõ ".repeat(4).trim();
    const encoded = encodeHeaderText(subject);
    for (const word of encoded.split(" ")) expect(word.length).toBeLessThanOrEqual(75);
    expect(decodeWords(encoded)).toBe(subject);
  });

  it("a CR or LF in a value cannot start a new header", () => {
    const encoded = encodeHeaderText("Hello\r\nBcc: victim@example.test");
    expect(encoded).not.toMatch(/[\r\n]/);
    expect(decodeWords(encoded)).toBe("Hello\r\nBcc: victim@example.test");
  });

  it("folds long lines at spaces, never right after the field name", () => {
    const folded = foldHeader(`Subject: ${encodeHeaderText("ã".repeat(80))}`);
    const lines = folded.split("\r\n");
    expect(lines.length).toBeGreaterThan(1);
    expect(lines[0]).toMatch(/^Subject: =\?UTF-8\?B\?/);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(78);
    for (const line of lines.slice(1)) expect(line.startsWith(" ")).toBe(true);
  });

  it("quotes or encodes display names", () => {
    expect(formatMailbox({ address: "a@example.test" })).toBe("a@example.test");
    expect(formatMailbox({ name: 'Edge "Auth" \\', address: "a@example.test" })).toBe(
      '"Edge \\"Auth\\" \\\\" <a@example.test>',
    );
    expect(decodeWords(formatMailbox({ name: "Segurança", address: "a@example.test" }))).toBe(
      "Segurança<a@example.test>",
    );
  });

  it("formats RFC 5322 dates", () => {
    expect(formatDate(new Date(Date.UTC(2026, 10, 23, 15, 5, 13)))).toBe("Mon, 23 Nov 2026 15:05:13 +0000");
  });
});

describe("buildMimeMessage", () => {
  const message = buildMimeMessage(
    {
      id: "evt_01abc",
      from: { name: "Edge Auth", address: "no-reply@example.test" },
      to: "maria@example.test",
      subject: "Confirme seu e-mail",
      text: "Olá!\nLinha 2",
      html: "<p>Olá!</p>",
    },
    { date: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)), random: fixedRandom },
  );
  const [head, ...body] = message.split("\r\n\r\n");

  it("has the headers a mail server expects", () => {
    expect(head!.split("\r\n")).toEqual([
      'From: "Edge Auth" <no-reply@example.test>',
      "To: maria@example.test",
      "Subject: Confirme seu e-mail",
      "Date: Fri, 02 Jan 2026 03:04:05 +0000",
      "Message-ID: <evt_01abc@example.test>",
      "MIME-Version: 1.0",
      "Auto-Submitted: auto-generated",
      "Content-Type: multipart/alternative;",
      ' boundary="=_edge-auth_abababababababababababab"',
    ]);
  });

  it("holds a text/plain and a text/html part, UTF-8 in base64, with CRLF line breaks", () => {
    const rest = body.join("\r\n\r\n");
    const boundary = "--=_edge-auth_abababababababababababab";
    const parts = rest.split(`${boundary}\r\n`).slice(1);
    expect(parts).toHaveLength(2);
    expect(rest.endsWith(`${boundary}--\r\n`)).toBe(true);
    const decode = (part: string) => {
      const [headers, content] = part.split("\r\n\r\n");
      const base64 = content!.split(`\r\n${boundary}`)[0]!.replace(/\r\n/g, "");
      return {
        headers,
        text: new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))),
      };
    };
    const [text, html] = parts.map(decode);
    expect(text!.headers).toBe(
      "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64",
    );
    expect(text!.text).toBe("Olá!\r\nLinha 2");
    expect(html!.headers).toBe("Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64");
    expect(html!.text).toBe("<p>Olá!</p>");
  });
});

describe("dotStuff", () => {
  it("doubles leading dots, normalises line breaks and terminates DATA", () => {
    expect(dotStuff(".a\n..b\nc.\r\n.")).toBe("..a\r\n...b\r\nc.\r\n..\r\n.\r\n");
    expect(dotStuff("x\r\n")).toBe("x\r\n.\r\n");
  });
});

describe("addresses", () => {
  it("parses MAIL_FROM forms and refuses line breaks", () => {
    expect(parseMailbox("no-reply@example.test")).toEqual({ address: "no-reply@example.test" });
    expect(parseMailbox("Edge Auth <no-reply@example.test>")).toEqual({
      name: "Edge Auth",
      address: "no-reply@example.test",
    });
    expect(parseMailbox('"Auth, Inc." <a@example.test>')).toEqual({
      name: "Auth, Inc.",
      address: "a@example.test",
    });
    expect(parseMailbox("<a@example.test>")).toEqual({ address: "a@example.test" });
    for (const bad of ["", "nobody", "A <b>", "A <a@example.test>\r\nBcc: x@example.test", "a@b@c"]) {
      expect(parseMailbox(bad)).toBeUndefined();
    }
  });

  it("domainOf, maskAddresses and recipientHash", async () => {
    expect(domainOf("a@mail.example.test")).toBe("mail.example.test");
    expect(maskAddresses("550 <maria@example.test>: unknown; cc bob@x.test")).toBe(
      "550 <[address]>: unknown; cc [address]",
    );
    const hash = await recipientHash("Maria@Example.test");
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    expect(await recipientHash(" maria@example.test ")).toBe(hash);
  });
});
