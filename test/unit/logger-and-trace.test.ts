import { describe, expect, it } from "vitest";
import { createLogger, redact } from "../../src/platform/logger";
import { cryptoRandom } from "../../src/platform/random";
import { traceContextFrom } from "../../src/platform/trace";

describe("logger", () => {
  it("writes one JSON object a line with the base fields and level filtering", () => {
    const lines: string[] = [];
    const logger = createLogger("info", { requestId: "req_1" }, (line) => lines.push(line));
    logger.debug("hidden");
    logger.info("shown", { userId: "usr_1" });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: "info",
      msg: "shown",
      requestId: "req_1",
      userId: "usr_1",
    });
  });

  it("redacts secret-looking keys at any depth, also in child loggers", () => {
    const lines: string[] = [];
    const logger = createLogger("debug", {}, (line) => lines.push(line)).child({ authorization: "Bearer x" });
    logger.info("event", {
      password: "hunter2",
      nested: { refreshToken: "rt", codigo: "INV-123", list: [{ secret: "s" }] },
      code: "123456",
      email: "a@b.c",
    });
    const text = lines.join("\n");
    for (const secret of ["hunter2", "Bearer x", '"rt"', "INV-123", '"s"', "123456"])
      expect(text).not.toContain(secret);
    expect(text).toContain("a@b.c");
  });

  it("keeps only name and message of errors", () => {
    expect(redact({ error: new Error("boom") })).toEqual({ error: { name: "Error", message: "boom" } });
  });
});

describe("trace context", () => {
  it("generates a valid traceparent continuing the caller's trace", () => {
    const headers = new Headers({ traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" });
    const trace = traceContextFrom(headers, cryptoRandom);
    expect(trace.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
  });

  it("rejects the all-zero trace id", () => {
    const headers = new Headers({ traceparent: `00-${"0".repeat(32)}-00f067aa0ba902b7-01` });
    expect(traceContextFrom(headers, cryptoRandom).traceId).not.toBe("0".repeat(32));
  });
});
