import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  asClient,
  auditRows,
  bearer,
  createHarness,
  decodeJwt,
  expectInvalidFields,
  expectProblem,
  jsonRequest,
  login,
  refresh,
  register,
  type TokenPairBody,
  viaSelf,
} from "../../helpers/accounts";

// A client IP of this file's own: test files share one D1, and audit rows are read per client.
const self = asClient(viaSelf);

async function pairOf(response: Response): Promise<TokenPairBody> {
  expect(response.status).toBe(200);
  return (await response.json()) as TokenPairBody;
}

async function familyRows(refreshToken: string) {
  const jti = decodeJwt(refreshToken).payload.jti as string;
  const { results } = await env.DB.prepare(
    `SELECT id, family_id, parent_id, rotated_at, revoked_at, revoked_reason FROM refresh_tokens
     WHERE family_id = (SELECT family_id FROM refresh_tokens WHERE id = ?) ORDER BY created_at, id`,
  )
    .bind(jti)
    .all<{
      id: string;
      family_id: string;
      parent_id: string | null;
      rotated_at: number | null;
      revoked_at: number | null;
      revoked_reason: string | null;
    }>();
  return results;
}

describe("POST /auth/refresh", () => {
  it("rotates: a new pair, the old refresh token retired, the new one usable", async () => {
    const harness = createHarness();
    const { tokens, userId } = await register(harness.send);
    harness.clock.advance(60_000);
    const next = await pairOf(await refresh(harness.send, tokens.refreshToken));
    expect(next.refreshToken).not.toBe(tokens.refreshToken);
    expect(decodeJwt(next.accessToken).payload).toMatchObject({ sub: userId });
    expect((await harness.send("/auth/me", { headers: bearer(next.accessToken) })).status).toBe(200);

    const rows = await familyRows(next.refreshToken);
    expect(rows).toHaveLength(2);
    expect(rows[0]!.rotated_at).not.toBeNull();
    expect(rows[1]!.parent_id).toBe(rows[0]!.id);

    harness.clock.advance(60_000);
    await pairOf(await refresh(harness.send, next.refreshToken));
    const refreshed = (await harness.auditRows()).filter(
      (row) => row.event === "auth.refresh" && row.result === "success",
    );
    expect(refreshed.length).toBeGreaterThanOrEqual(2);
  });

  it("within the grace window, the retired token returns the very same child, while it is unused", async () => {
    const harness = createHarness();
    const { tokens } = await register(harness.send);
    const first = await pairOf(await refresh(harness.send, tokens.refreshToken));
    harness.clock.advance(9_000);
    const retry = await pairOf(await refresh(harness.send, tokens.refreshToken));
    expect(retry.refreshToken).toBe(first.refreshToken);
    expect(retry.refreshExpiresIn).toBe(first.refreshExpiresIn);
    expect((await harness.send("/auth/me", { headers: bearer(retry.accessToken) })).status).toBe(200);
    expect(await familyRows(first.refreshToken)).toHaveLength(2);

    // Once the child itself has been used, the parent no longer leads anywhere: 401, no revocation.
    const grandchild = await pairOf(await refresh(harness.send, first.refreshToken));
    await expectProblem(await refresh(harness.send, tokens.refreshToken), 401, "INVALID_TOKEN");
    expect((await familyRows(grandchild.refreshToken)).every((row) => row.revoked_at === null)).toBe(true);
    await pairOf(await refresh(harness.send, grandchild.refreshToken));
  });

  it("after the grace window, a reused token revokes its whole family (and only it), audited", async () => {
    const harness = createHarness();
    const { tokens, account, userId } = await register(harness.send);
    const otherSession = await login(harness.send, account.username, account.password);
    const child = await pairOf(await refresh(harness.send, tokens.refreshToken));
    harness.clock.advance(10_000);

    await expectProblem(await refresh(harness.send, tokens.refreshToken), 401, "INVALID_TOKEN");
    const rows = await familyRows(child.refreshToken);
    expect(rows.map((row) => row.revoked_reason)).toEqual(["reuse_detected", "reuse_detected"]);
    await expectProblem(await refresh(harness.send, child.refreshToken), 401, "INVALID_TOKEN");
    await pairOf(await refresh(harness.send, otherSession.refreshToken));

    const detected = (await harness.auditRows()).filter((row) => row.event === "auth.refresh.reuse_detected");
    expect(detected).toHaveLength(1);
    expect(detected[0]).toMatchObject({ result: "failure", reason: "reuse_detected", actor_id: userId });
    expect(JSON.parse(detected[0]!.metadata as string)).toMatchObject({
      familyId: rows[0]!.family_id,
      revoked: 2,
    });
  });

  it("with REFRESH_REUSE_GRACE_SECONDS=0 any second use revokes the family", async () => {
    const harness = createHarness({ REFRESH_REUSE_GRACE_SECONDS: "0" });
    const { tokens } = await register(harness.send);
    const child = await pairOf(await refresh(harness.send, tokens.refreshToken));
    await expectProblem(await refresh(harness.send, tokens.refreshToken), 401, "INVALID_TOKEN");
    await expectProblem(await refresh(harness.send, child.refreshToken), 401, "INVALID_TOKEN");
  });

  it("20 concurrent refreshes of one token leave exactly one live chain", async () => {
    const { tokens } = await register(self.send);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => refresh(self.send, tokens.refreshToken)),
    );
    const succeeded: TokenPairBody[] = [];
    for (const response of responses) {
      if (response.status === 200) succeeded.push((await response.json()) as TokenPairBody);
      else await expectProblem(response, 401, "INVALID_TOKEN");
    }
    expect(succeeded.length).toBeGreaterThanOrEqual(1);
    const children = new Set(succeeded.map((pair) => pair.refreshToken));
    expect(children.size).toBe(1);

    const rows = await familyRows(tokens.refreshToken);
    expect(rows).toHaveLength(2);
    const live = rows.filter((row) => row.rotated_at === null && row.revoked_at === null);
    expect(live.map((row) => row.id)).toEqual([decodeJwt([...children][0]!).payload.jti]);
  });

  it("an expired refresh token, or one of a disabled user, is refused", async () => {
    const harness = createHarness();
    const { tokens, userId } = await register(harness.send);
    harness.clock.advance(1_209_601_000);
    await expectProblem(await refresh(harness.send, tokens.refreshToken), 401, "INVALID_TOKEN");

    const second = await register(harness.send);
    await env.DB.prepare("UPDATE users SET status = 'disabled' WHERE id = ?").bind(second.userId).run();
    await expectProblem(await refresh(harness.send, second.tokens.refreshToken), 401, "INVALID_TOKEN");
    expect(userId).not.toBe(second.userId);
  });

  it("validation: missing, empty or non-string refreshToken → 400", async () => {
    for (const body of [{}, { refreshToken: "" }, { refreshToken: 42 }, { refreshToken: "x".repeat(9000) }]) {
      expect(await expectInvalidFields(await self.send("/auth/refresh", jsonRequest(body)))).toEqual([
        "body.refreshToken",
      ]);
    }
    await expectProblem(
      await self.send("/auth/refresh", jsonRequest({ refreshToken: "garbage" })),
      401,
      "INVALID_TOKEN",
    );
  });

  it("stores only hashes of refresh tokens and audits without secrets", async () => {
    const { tokens } = await register(self.send);
    const rows = await env.DB.prepare("SELECT * FROM refresh_tokens").all();
    const stored = JSON.stringify(rows.results);
    expect(stored).not.toContain(tokens.refreshToken);
    expect(stored).not.toContain(tokens.refreshToken.split(".")[2]);
    expect(stored).not.toContain("eyJ");
    expect(JSON.stringify(await auditRows(self.ip))).not.toContain("eyJ");
  });
});
