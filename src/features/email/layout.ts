/**
 * An e-mail's content as a few kinds of blocks, rendered twice: as plain text and as HTML. Both
 * parts come from the same blocks, so they always say the same thing.
 */
export type EmailBlock =
  | { kind: "paragraph"; text: string }
  /** A button in HTML; the bare URL on its own line in text (mail clients make it clickable). */
  | { kind: "action"; label: string; url: string }
  /** A short secret the reader types in, set large and monospaced in HTML. */
  | { kind: "code"; value: string };

export interface EmailContent {
  subject: string;
  blocks: EmailBlock[];
  /** Small print under a rule: why the reader got this e-mail. */
  footer: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!);
}

function blockToText(block: EmailBlock): string {
  switch (block.kind) {
    case "paragraph":
      return block.text;
    case "action":
      return `${block.label}:\n${block.url}`;
    case "code":
      return `    ${block.value}`;
  }
}

const FONT = "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";

function blockToHtml(block: EmailBlock): string {
  switch (block.kind) {
    case "paragraph":
      return `<p style="margin:0 0 16px;line-height:1.5">${escapeHtml(block.text)}</p>`;
    case "action": {
      const url = escapeHtml(block.url);
      return [
        `<p style="margin:24px 0"><a href="${url}" style="background:#1a56db;color:#ffffff;`,
        `padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block">`,
        `${escapeHtml(block.label)}</a></p>`,
        `<p style="margin:0 0 16px;font-size:13px;color:#555555;word-break:break-all">`,
        `<a href="${url}" style="color:#1a56db">${url}</a></p>`,
      ].join("");
    }
    case "code":
      return [
        `<p style="margin:24px 0;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:28px;`,
        `letter-spacing:6px;font-weight:bold">${escapeHtml(block.value)}</p>`,
      ].join("");
  }
}

/** Renders content as `{subject, text, html}`; every value is HTML-escaped in the HTML part. */
export function renderContent(content: EmailContent, language: string): RenderedEmail {
  const text = [...content.blocks.map(blockToText), "--", content.footer].join("\n\n").concat("\n");
  const html = [
    "<!doctype html>",
    `<html lang="${escapeHtml(language)}">`,
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">',
    `<title>${escapeHtml(content.subject)}</title></head>`,
    `<body style="margin:0;padding:24px;background:#f4f4f5;color:#18181b;${FONT}">`,
    '<div style="max-width:560px;margin:0 auto;background:#ffffff;padding:32px;border-radius:8px">',
    ...content.blocks.map(blockToHtml),
    '<hr style="border:none;border-top:1px solid #e4e4e7;margin:24px 0">',
    `<p style="margin:0;font-size:12px;color:#71717a;line-height:1.5">${escapeHtml(content.footer)}</p>`,
    "</div></body></html>",
  ].join("\n");
  return { subject: content.subject, text, html };
}
