import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { generateTotpSecret, matchTotp, totpCode, totpStep } from "../../src/features/two-factor/totp";
import { cryptoRandom } from "../../src/platform/random";

// oathtool comes from the Debian `oathtool` package (OATH Toolkit): an implementation of RFC 6238
// that shares no code with otpauth, so agreeing with it is an independent check.
function oathtool(args: string[]): { status: number | null; output: string } {
  const result = spawnSync("oathtool", args, { encoding: "utf8" });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

/** oathtool's six-digit TOTP code of `secret` at `seconds` since the epoch. */
function oathCode(secret: string, seconds: number): string {
  const { status, output } = oathtool(["--totp", "-b", "--now", `@${seconds}`, secret]);
  expect(status, output).toBe(0);
  return output;
}

const secrets = Array.from({ length: 5 }, () => generateTotpSecret(cryptoRandom));
// The epoch's first step, RFC 6238's instants, 2026, a step's last second, and far in the future.
const instants = [0, 59, 1111111109, 1234567890, 1767225600, 1767225629, 2000000000, 20000000000];

describe("TOTP against oathtool (RFC 6238, SHA-1, 6 digits, 30 s)", () => {
  it("oathtool agrees on the RFC 6238 Appendix B vector", () => {
    expect(
      oathtool(["--totp", "-b", "-d", "8", "--now", "@1234567890", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"])
        .output,
    ).toBe("89005924");
  });

  it.each(secrets)("totpCode equals oathtool's code for secret #%#", (secret) => {
    for (const seconds of instants) {
      expect(totpCode(secret, totpStep(seconds * 1000)), `at ${seconds}`).toBe(oathCode(secret, seconds));
    }
  });

  it.each(secrets)(
    "matchTotp accepts oathtool's codes within ±1 step and nothing further, secret #%#",
    (secret) => {
      for (const seconds of instants.filter((instant) => instant >= 120)) {
        const step = totpStep(seconds * 1000);
        // oathtool's codes for steps -3 … +3 around now; the expected match is computed from them alone.
        const byOffset = new Map(
          [-3, -2, -1, 0, 1, 2, 3].map((offset) => [offset, oathCode(secret, seconds + offset * 30)]),
        );
        for (const [offset, code] of byOffset) {
          const windowMatches = [-1, 0, 1].filter((near) => byOffset.get(near) === code);
          const expected = windowMatches.length > 0 ? step + Math.max(...windowMatches) : null;
          expect(matchTotp(secret, code, seconds * 1000), `offset ${offset} at ${seconds}`).toBe(expected);
        }
      }
    },
  );

  it.each(secrets)("oathtool validates totpCode's codes at the same step, secret #%#", (secret) => {
    for (const seconds of instants) {
      const code = totpCode(secret, totpStep(seconds * 1000));
      // With a code to check, oathtool prints the matching step's offset from now (0 here).
      const { status, output } = oathtool(["--totp", "-b", "-w", "0", "--now", `@${seconds}`, secret, code]);
      expect(status, output).toBe(0);
      expect(output).toBe("0");
    }
  });
});
