import { afterEach, describe, expect, it, vi } from "vitest";
import { accessLogAtInfo } from "../../src/http/request-context";
import { defaultPlatformDeps } from "../../src/platform/deps";
import { createHarness } from "../helpers/accounts";

/** The access-log lines (`msg: "request"`) written while `run` runs. */
async function accessLines(run: () => Promise<unknown>): Promise<Array<Record<string, unknown>>> {
  const spy = vi.spyOn(console, "log").mockImplementation(() => {});
  try {
    await run();
    return spy.mock.calls
      .map(([line]) => JSON.parse(String(line)) as Record<string, unknown>)
      .filter((entry) => entry.msg === "request");
  } finally {
    spy.mockRestore();
  }
}

describe("access log", () => {
  afterEach(() => vi.restoreAllMocks());

  it("at the default level, a successful request writes no line and an error writes one at info, with ids", async () => {
    const harness = createHarness({ LOG_LEVEL: "info" });
    const lines = await accessLines(async () => {
      await harness.send("/healthz");
      await harness.send("/auth/me", { headers: { "x-request-id": "client-chosen-id" } });
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: "info",
      status: 401,
      route: "/auth/me",
      // The service's own request id, and the client's beside it (issue 8: no forged correlation).
      requestId: expect.stringMatching(/^req_/),
      clientRequestId: "client-chosen-id",
    });
    expect(lines[0]!.traceId).toEqual(expect.any(String));
  });

  it("writes successful requests at debug, and a LOG_SAMPLE_RATE fraction of them at info", async () => {
    const debug = createHarness({ LOG_LEVEL: "debug" });
    const atDebug = await accessLines(() => debug.send("/healthz"));
    expect(atDebug).toEqual([expect.objectContaining({ level: "debug", status: 200, route: "/healthz" })]);

    const sampled = createHarness({ LOG_LEVEL: "info", LOG_SAMPLE_RATE: "1" });
    const all = await accessLines(() => sampled.send("/healthz"));
    expect(all).toEqual([expect.objectContaining({ level: "info", status: 200 })]);
  });

  it("writes a slow successful request at info", () => {
    const settings = { sampleRate: 0, slowRequestMs: 1000 };
    expect(accessLogAtInfo(settings, 200, 999, defaultPlatformDeps)).toBe(false);
    expect(accessLogAtInfo(settings, 200, 1000, defaultPlatformDeps)).toBe(true);
    expect(accessLogAtInfo(settings, 302, 5, defaultPlatformDeps)).toBe(false);
    expect(accessLogAtInfo(settings, 404, 5, defaultPlatformDeps)).toBe(true);
  });
});
