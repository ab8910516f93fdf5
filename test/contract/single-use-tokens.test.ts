import { describe, expect, it } from "vitest";
import {
  type SingleUseToken,
  SingleUseTokenRepository,
  type SingleUseTokenTable,
  stateOf,
} from "../../src/features/accounts/single-use-tokens/repository";
import { describeOnEachDialect, unique } from "../helpers/dialects";
import { insertUser } from "../helpers/users";

const T0 = new Date(Date.UTC(2026, 0, 1));
const later = (ms: number) => new Date(T0.getTime() + ms);

function newToken(userId: string, createdAt = T0): Omit<SingleUseToken, "usedAt" | "supersededAt"> {
  return {
    id: `prs_${unique()}`,
    userId,
    email: "person@example.com",
    tokenHash: unique("hash"),
    expiresAt: new Date(createdAt.getTime() + 3_600_000),
    createdAt,
  };
}

for (const table of ["password_resets", "verification_tokens"] as SingleUseTokenTable[]) {
  describe(table, () => {
    describeOnEachDialect("SingleUseTokenRepository", (db) => {
      const tokens = () => new SingleUseTokenRepository(db(), table);

      it("issues a token and finds it by hash", async () => {
        const token = newToken(await insertUser(db()));
        await tokens().issue(token);
        const stored = await tokens().findByHash(token.tokenHash);
        expect(stored).toEqual({ ...token, usedAt: null, supersededAt: null });
        expect(stateOf(stored!, T0)).toBe("live");
        expect(stateOf(stored!, token.expiresAt)).toBe("expired");
        expect(await tokens().findByHash(unique("nope"))).toBeUndefined();
      });

      it("issuing leaves the user's earlier live tokens alone; supersedeOutstanding ends them", async () => {
        const userId = await insertUser(db());
        const otherUser = await insertUser(db());
        const first = newToken(userId);
        const others = newToken(otherUser);
        await tokens().issue(first);
        await tokens().issue(others);
        const second = newToken(userId, later(1000));
        await tokens().issue(second);
        expect(stateOf((await tokens().findByHash(first.tokenHash))!, later(1000))).toBe("live");

        await db().atomic([tokens().supersedeOutstandingStatement(userId, later(2000))]);
        for (const token of [first, second]) {
          const stored = await tokens().findByHash(token.tokenHash);
          expect(stored?.supersededAt).toEqual(later(2000));
          expect(stateOf(stored!, later(2000))).toBe("superseded");
          expect(await tokens().consume(token.tokenHash, later(3000))).toBeUndefined();
        }
        expect((await tokens().findByHash(others.tokenHash))?.supersededAt).toBeNull();
      });

      it("consumes a live token once, even under concurrent attempts", async () => {
        const token = newToken(await insertUser(db()));
        await tokens().issue(token);
        const attempts = await Promise.all(
          Array.from({ length: 8 }, () => tokens().consume(token.tokenHash, later(1000))),
        );
        const used = attempts.filter(Boolean);
        expect(used).toHaveLength(1);
        expect(used[0]).toMatchObject({ id: token.id, usedAt: later(1000) });
        expect(stateOf((await tokens().findByHash(token.tokenHash))!, later(2000))).toBe("used");
      });

      it("does not consume an expired token", async () => {
        const token = newToken(await insertUser(db()));
        await tokens().issue(token);
        expect(await tokens().consume(token.tokenHash, token.expiresAt)).toBeUndefined();
        expect((await tokens().findByHash(token.tokenHash))?.usedAt).toBeNull();
      });
    });
  });
}
