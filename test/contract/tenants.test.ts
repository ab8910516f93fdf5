import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { InstitutionRepository } from "../../src/features/tenants/repository";
import { ManualClock } from "../../src/platform/clock";
import { cryptoRandom } from "../../src/platform/random";
import { describeOnEachDialect, unique } from "../helpers/dialects";
import { insertUser } from "../helpers/users";

const clock = new ManualClock(Date.UTC(2026, 0, 1));

describeOnEachDialect("InstitutionRepository", (db) => {
  const institutions = () => new InstitutionRepository(db(), clock, cryptoRandom);

  it("creates institutions once, even when ensured concurrently", async () => {
    const code = unique("inst");
    await Promise.all(Array.from({ length: 5 }, () => institutions().ensure([code, code])));
    const rows = await db().all<{ code: string }>(sql`SELECT code FROM institutions WHERE code = ${code}`);
    expect(rows).toHaveLength(1);
  });

  it("links a user to existing codes only, idempotently, and lists codes sorted", async () => {
    const userId = await insertUser(db());
    const [b, a] = [unique("b"), unique("a")];
    await institutions().ensure([b, a]);
    const at = clock.now();
    await db().atomic([
      institutions().linkIfUserExistsStatement(userId, b, at),
      institutions().linkIfUserExistsStatement(userId, a, at),
      institutions().linkIfUserExistsStatement(userId, a, at),
      institutions().linkIfUserExistsStatement(userId, unique("missing"), at),
    ]);
    expect(await institutions().codesForUser(userId)).toEqual([a, b].sort());
  });

  it("links nothing for a user that does not exist", async () => {
    const code = unique("c");
    await institutions().ensure([code]);
    const ghost = `usr_${unique()}`;
    await db().atomic([institutions().linkIfUserExistsStatement(ghost, code, clock.now())]);
    expect(await institutions().codesForUser(ghost)).toEqual([]);
  });
});
