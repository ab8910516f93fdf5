import { describe, expect, it } from "vitest";
import { BackgroundTasks } from "../../../src/platform/background";
import { createLogger } from "../../../src/platform/logger";

describe("BackgroundTasks", () => {
  it("settles after every deferred task, including ones deferred by other tasks, and logs failures", async () => {
    const lines: string[] = [];
    const tasks = new BackgroundTasks(
      createLogger("info", { requestId: "req_1" }, (line) => lines.push(line)),
    );
    const done: string[] = [];
    tasks.defer("first", async () => {
      done.push("first");
      tasks.defer("nested", async () => {
        done.push("nested");
      });
    });
    tasks.defer("failing", async () => {
      throw new Error("queue unavailable");
    });
    tasks.defer("sync", () => Promise.resolve(done.push("sync")));
    await expect(tasks.settled()).resolves.toBeUndefined();
    expect(done.sort()).toEqual(["first", "nested", "sync"]);
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({
        level: "error",
        msg: "background task failed",
        task: "failing",
        requestId: "req_1",
        error: { name: "Error", message: "queue unavailable" },
      }),
    ]);
  });
});
