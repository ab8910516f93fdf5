import { describe, expect, it } from "vitest";
import { renderEmail } from "../../../src/features/email/render";
import { createHarness, jsonRequest, newAccount, register } from "../../helpers/accounts";

const context = { appName: "Edge Auth", baseUrl: "http://localhost:8787" };

describe("user-chosen text in e-mails", () => {
  it("mail to an unverified address never carries the name typed at registration", async () => {
    const harness = createHarness();
    // Someone registers with a victim's address and a name written to be read as a message.
    const lure = "Your account is locked, confirm at https://evil.example";
    const { account } = await register(harness.send, newAccount({ name: lure }));

    const verification = harness.emails.find((email) => email.template === "verify-email")!;
    expect(verification.to).toBe(account.email);
    expect(verification.data.name).toBeUndefined();
    const rendered = renderEmail(verification, context);
    for (const part of [rendered.text, rendered.html, rendered.subject])
      expect(part).not.toContain("evil.example");

    await harness.send("/reset-password/request", jsonRequest({ email: account.email }));
    const reset = harness.emails.find((email) => email.template === "password-reset")!;
    expect(reset.data.name).toBeUndefined();
    expect(renderEmail(reset, context).text).not.toContain("evil.example");
  });

  it("once the owner verified the address, mail greets them by their name", async () => {
    const harness = createHarness();
    const { account } = await register(harness.send, newAccount({ name: "Maria Silva" }));
    const token = harness.emails.find((email) => email.template === "verify-email")!.data.token;
    expect((await harness.send("/verification-token/verify", jsonRequest({ token }))).status).toBe(200);

    await harness.send("/reset-password/request", jsonRequest({ email: account.email }));
    const reset = harness.emails.find((email) => email.template === "password-reset")!;
    expect(reset.data.name).toBe("Maria Silva");
    expect(renderEmail(reset, context).text).toContain("Olá, Maria Silva!");
  });

  it("reset and verification tokens never travel in clear through the Queue (or its dead-letter queue)", async () => {
    const harness = createHarness();
    const { account } = await register(harness.send);
    await harness.send("/reset-password/request", jsonRequest({ email: account.email }));
    const tokens = harness.emails.map((email) => email.data.token);
    expect(tokens).toEqual([expect.stringMatching(/^vfy_/), expect.stringMatching(/^rst_/)]);
    expect(harness.queued).toHaveLength(2);
    for (const body of harness.queued) {
      expect(Object.keys(body).sort()).toEqual([
        "id",
        "requestId",
        "sealedData",
        "template",
        "to",
        "traceId",
      ]);
      const text = JSON.stringify(body);
      for (const token of tokens) expect(text).not.toContain(token!);
      expect(text).not.toContain(account.name);
    }
  });
});
