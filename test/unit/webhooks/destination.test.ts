import { describe, expect, it } from "vitest";
import { checkWebhookUrl } from "../../../src/features/webhooks/destination";

const reasonOf = (text: string, environment: Parameters<typeof checkWebhookUrl>[1]) => {
  const check = checkWebhookUrl(text, environment);
  return check.ok ? "accepted" : check.reason;
};

describe("checkWebhookUrl in production and staging", () => {
  it.each([
    "https://hooks.example.com/edge-auth?team=7",
    "https://hooks.example.com:8443/",
    "https://8.8.8.8/hook",
    "https://[2606:4700:4700::1111]/hook",
    "https://[::ffff:8.8.8.8]/hook",
    "https://xn--cao-vla.example/hook",
    "https://example.com./hook",
  ])("accepts %s", (text) => {
    for (const environment of ["production", "staging"] as const) {
      const check = checkWebhookUrl(text, environment);
      expect(check.ok).toBe(true);
      expect(check.ok && check.url.href).toBe(new URL(text).href);
    }
  });

  it.each([
    ["not a url", "not an absolute URL"],
    ["/relative/path", "not an absolute URL"],
    ["https://[fe80::1%25eth0]/", "not an absolute URL"],
    ["http://hooks.example.com/", "must be https"],
    ["ftp://hooks.example.com/", "must be https"],
    ["javascript:alert(1)", "must be https"],
    ["https://user:pass@hooks.example.com/", "user name or password"],
    ["https://user@hooks.example.com/", "user name or password"],
    ["https://127.0.0.1/", "non-public address"],
    ["https://127.1/", "non-public address"],
    ["https://0x7f.0.0.1/", "non-public address"],
    ["https://2130706433/", "non-public address"],
    ["https://0.0.0.0/", "non-public address"],
    ["https://10.1.2.3/", "non-public address"],
    ["https://172.16.0.5/", "non-public address"],
    ["https://192.168.1.1/", "non-public address"],
    ["https://100.64.0.1/", "non-public address"],
    ["https://169.254.169.254/latest/meta-data/", "non-public address"],
    ["https://255.255.255.255/", "non-public address"],
    ["https://[::1]/", "non-public address"],
    ["https://[::]/", "non-public address"],
    ["https://[::ffff:127.0.0.1]/", "non-public address"],
    ["https://[::ffff:a9fe:a9fe]/", "non-public address"],
    ["https://[fe80::1]/", "non-public address"],
    ["https://[fd00::1]/", "non-public address"],
    ["https://[64:ff9b::a00:1]/", "non-public address"],
    ["https://[2001:db8::1]/", "non-public address"],
    ["https://localhost/", "local or internal name"],
    ["https://LOCALHOST./", "local or internal name"],
    ["https://api.localhost/", "local or internal name"],
    ["https://metadata.google.internal/", "local or internal name"],
    ["https://printer.local/", "local or internal name"],
    ["https://router.home.arpa/", "local or internal name"],
    ["https://localhost.localdomain/", "local or internal name"],
    ["https://intranet/", "single-label name"],
  ])("refuses %s (%s)", (text, reason) => {
    expect(reasonOf(text, "production")).toContain(reason);
    expect(reasonOf(text, "staging")).toContain(reason);
  });
});

describe("checkWebhookUrl in development and test", () => {
  it.each([
    "http://localhost:8787/webhooks",
    "http://127.0.0.1:9000/",
    "https://hooks.example.com/",
    "http://[::1]:9000/",
    "http://receiver.internal/",
  ])("accepts the local receiver %s", (text) => {
    expect(reasonOf(text, "development")).toBe("accepted");
    expect(reasonOf(text, "test")).toBe("accepted");
  });

  it("still refuses other schemes and credentials", () => {
    expect(reasonOf("ftp://localhost/", "development")).toContain("must be http or https");
    expect(reasonOf("http://user:pass@localhost/", "test")).toContain("user name or password");
  });
});
