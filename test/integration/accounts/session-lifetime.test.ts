import { describe, expect, it } from "vitest";
import { DAY_MS } from "../../../src/platform/clock";
import {
  createHarness,
  decodeJwt,
  expectProblem,
  type Harness,
  refresh,
  register,
  type TokenPairBody,
} from "../../helpers/accounts";

async function rotate(harness: Harness, refreshToken: string): Promise<TokenPairBody> {
  const response = await refresh(harness.send, refreshToken);
  expect(response.status).toBe(200);
  return (await response.json()) as TokenPairBody;
}

const expOf = (token: string) => decodeJwt(token).payload.exp as number;

describe("session lifetimes", () => {
  it("rotating keeps a session alive for at most SESSION_MAX_LIFETIME (30 days) from its login", async () => {
    const harness = createHarness();
    const { tokens } = await register(harness.send);
    const started = Math.floor(harness.clock.now().getTime() / 1000);
    const cap = started + 30 * 86_400;
    expect(decodeJwt(tokens.refreshToken).payload.auth_time).toBe(started);

    let current = tokens.refreshToken;
    for (let day = 13; day <= 26; day += 13) {
      harness.clock.advance(13 * DAY_MS);
      const pair = await rotate(harness, current);
      expect(expOf(pair.refreshToken)).toBe(Math.min(started + (day + 14) * 86_400, cap));
      current = pair.refreshToken;
    }
    // Day 26: 14 more days would pass the cap; the child lives only until day 30.
    expect(expOf(current)).toBe(cap);
    harness.clock.advance(3 * DAY_MS + 23 * 3_600_000);
    const last = await rotate(harness, current);
    expect(expOf(last.refreshToken)).toBe(cap);
    expect(last.refreshExpiresIn).toBe(cap - Math.floor(harness.clock.now().getTime() / 1000));
    expect(decodeJwt(last.refreshToken).payload.auth_time).toBe(started);

    harness.clock.set(cap * 1000);
    await expectProblem(await refresh(harness.send, last.refreshToken), 401, "INVALID_TOKEN");
  });

  it("a session unused for REFRESH_TOKEN_TTL (the idle timeout) ends, even well within its lifetime", async () => {
    const harness = createHarness({ REFRESH_TOKEN_TTL: "3600", SESSION_MAX_LIFETIME: "86400" });
    const { tokens } = await register(harness.send);
    harness.clock.advance(3_599_000);
    const pair = await rotate(harness, tokens.refreshToken);
    expect(pair.refreshExpiresIn).toBe(3600);
    harness.clock.advance(3_600_000);
    await expectProblem(await refresh(harness.send, pair.refreshToken), 401, "INVALID_TOKEN");
  });

  it("a retry within the grace window gets the same capped child back", async () => {
    const harness = createHarness({ REFRESH_TOKEN_TTL: "3600", SESSION_MAX_LIFETIME: "5400" });
    const { tokens } = await register(harness.send);
    harness.clock.advance(3_000_000);
    const first = await rotate(harness, tokens.refreshToken);
    harness.clock.advance(2000);
    const again = await rotate(harness, tokens.refreshToken);
    expect(again.refreshToken).toBe(first.refreshToken);
    expect(first.refreshExpiresIn).toBe(5400 - 3000);
  });
});
