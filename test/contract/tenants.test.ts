import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { TenantRepository } from "../../src/features/tenants/repository";
import { ManualClock } from "../../src/platform/clock";
import { cryptoRandom } from "../../src/platform/random";
import { describeOnEachDialect, unique } from "../helpers/dialects";
import { insertUser } from "../helpers/users";

const clock = new ManualClock(Date.UTC(2026, 0, 1));

describeOnEachDialect("TenantRepository", (db) => {
  const tenants = () => new TenantRepository(db(), clock, cryptoRandom);

  it("creates tenants once, even when ensured concurrently", async () => {
    const slug = unique("tenant");
    await Promise.all(Array.from({ length: 5 }, () => tenants().ensure([slug, slug])));
    const rows = await db().all<{ id: string }>(sql`SELECT id FROM tenants WHERE slug = ${slug}`);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id).toMatch(/^tnt_/);
  });

  it("adds a user to existing slugs only, idempotently, and lists slugs sorted", async () => {
    const userId = await insertUser(db());
    const [b, a] = [unique("b"), unique("a")];
    await tenants().ensure([b, a]);
    const at = clock.now();
    await db().atomic([
      tenants().addMemberIfUserExistsStatement(userId, b, at),
      tenants().addMemberIfUserExistsStatement(userId, a, at),
      tenants().addMemberIfUserExistsStatement(userId, a, at),
      tenants().addMemberIfUserExistsStatement(userId, unique("missing"), at),
    ]);
    expect(await tenants().slugsForUser(userId)).toEqual([a, b].sort());
  });

  it("adds nothing for a user that does not exist", async () => {
    const slug = unique("c");
    await tenants().ensure([slug]);
    const ghost = `usr_${unique()}`;
    await db().atomic([tenants().addMemberIfUserExistsStatement(ghost, slug, clock.now())]);
    expect(await tenants().slugsForUser(ghost)).toEqual([]);
  });
});
