import { describe, expect, it } from "vitest";
import { CsrfTokens } from "../../../src/features/web/csrf";
import { base64UrlEncode } from "../../../src/platform/encoding";

const key = () => base64UrlEncode(crypto.getRandomValues(new Uint8Array(32)));

describe("CsrfTokens", () => {
  it("verifies a token for its own form and cookie only", async () => {
    const csrf = await CsrfTokens.fromConfig({ current: key(), previous: [] });
    const token = await csrf.issue("cookie-a", "ativar");
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(await csrf.verify("cookie-a", "ativar", token)).toBe(true);
    expect(await csrf.verify("cookie-b", "ativar", token)).toBe(false);
    expect(await csrf.verify("cookie-a", "desativar", token)).toBe(false);
    expect(await csrf.verify("cookie-a", "ativar", token.toUpperCase())).toBe(false);
  });

  it("refuses anything missing or oversized without throwing", async () => {
    const csrf = await CsrfTokens.fromConfig({ current: key(), previous: [] });
    const token = await csrf.issue("cookie", "sair");
    expect(await csrf.verify(undefined, "sair", token)).toBe(false);
    expect(await csrf.verify("cookie", "sair", undefined)).toBe(false);
    expect(await csrf.verify("cookie", "sair", "")).toBe(false);
    expect(await csrf.verify("cookie", "sair", "f".repeat(10_000))).toBe(false);
  });

  it("keeps open forms working across a key rotation, and no longer once the old key is dropped", async () => {
    const [old, current] = [key(), key()];
    const token = await (await CsrfTokens.fromConfig({ current: old, previous: [] })).issue("c", "entrar");
    expect(
      await (await CsrfTokens.fromConfig({ current, previous: [old] })).verify("c", "entrar", token),
    ).toBe(true);
    expect(await (await CsrfTokens.fromConfig({ current, previous: [] })).verify("c", "entrar", token)).toBe(
      false,
    );
  });
});
