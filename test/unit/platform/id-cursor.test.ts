import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../src/platform/clock";
import { base64UrlEncode } from "../../../src/platform/encoding";
import { AppError } from "../../../src/platform/errors";
import { decodeIdCursor, encodeIdCursor } from "../../../src/platform/id-cursor";
import { newId } from "../../../src/platform/ids";
import { cryptoRandom } from "../../../src/platform/random";

const clock = new ManualClock(Date.UTC(2026, 0, 1));

function refusal(cursor: string): unknown {
  try {
    decodeIdCursor(cursor, "apiToken");
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("id cursors", () => {
  it("give back the id they were made from", () => {
    const id = newId("apiToken", clock, cryptoRandom);
    const cursor = encodeIdCursor(id);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor).not.toContain(id);
    expect(decodeIdCursor(cursor, "apiToken")).toBe(id);
  });

  it("refuse what is not a cursor of this kind of id, as a validation error on query.cursor", () => {
    const ascii = (text: string) => base64UrlEncode(new TextEncoder().encode(text));
    for (const cursor of [
      "",
      "!!!",
      "not a cursor",
      encodeIdCursor(newId("user", clock, cryptoRandom)),
      encodeIdCursor(`${newId("apiToken", clock, cryptoRandom)}x`),
      ascii("tok_' OR 1=1 --"),
      ascii(`tok_${"u".repeat(26)}`),
      "A".repeat(10_000),
    ]) {
      const error = refusal(cursor);
      expect(error, cursor.slice(0, 40)).toBeInstanceOf(AppError);
      expect(error).toMatchObject({
        code: "VALIDATION_FAILED",
        errors: [{ field: "query.cursor", message: "is not a cursor this list returned" }],
      });
    }
  });

  it("never throw anything but a validation error on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        const error = refusal(text);
        if (error !== undefined) expect(error).toMatchObject({ code: "VALIDATION_FAILED" });
      }),
    );
  });
});
