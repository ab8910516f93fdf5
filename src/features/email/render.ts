import { type RenderedEmail, renderContent } from "./layout";
import type { EmailMessage } from "./message";
import { EMAIL_LANGUAGE, TEMPLATES, type TemplateContext } from "./templates";

/**
 * Renders a queued message into subject, plain text and HTML, in Portuguese. Throws
 * `EmailRenderError` (from `./templates`) when `data` does not fit the template.
 */
export function renderEmail(
  message: Pick<EmailMessage, "template" | "data">,
  context: TemplateContext,
): RenderedEmail {
  return renderContent(TEMPLATES[message.template](message.data, context), EMAIL_LANGUAGE);
}
