import { env } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createD1Database } from "../../../src/db/d1";
import { SCOPES } from "../../../src/features/authorization/principal";
import { UserAdminService } from "../../../src/features/users/admin-service";
import { UserRepository } from "../../../src/features/users/repository";
import { ManualClock } from "../../../src/platform/clock";
import { createLogger } from "../../../src/platform/logger";
import { cryptoRandom } from "../../../src/platform/random";
import { backgroundContext, createShared } from "../../../src/services";
import { allAuditRows } from "../../helpers/accounts";
import { insertUser } from "../../helpers/users";

// D1 only, on this file's own database where nothing bootstraps the dev admin: "the last root" is
// a rule about the whole table, and the PostgreSQL of the test run is shared with every file.
const db = createD1Database(env.DB);
const users = new UserRepository(db);
const rootCount = async () =>
  Number(
    (
      await db.first<{ n: number }>(
        sql`SELECT COUNT(*) AS n FROM users WHERE role = 'root' AND status = 'active'`,
      )
    )?.n,
  );

async function rootUser(): Promise<string> {
  const id = await insertUser(db);
  await db.run(sql`UPDATE users SET role = 'root' WHERE id = ${id}`);
  return id;
}

describe("the last active root", () => {
  it("stays root when two roots demote each other at once, and when the only other root is disabled", async () => {
    const [a, b] = [await rootUser(), await rootUser()];
    expect(await rootCount()).toBe(2);
    const at = new Date();
    const results = await Promise.all([
      users.changeRole(a, { from: "root", to: "admin", at }),
      users.changeRole(b, { from: "root", to: "admin", at }),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await rootCount()).toBe(1);

    const survivor = results[0] ? b : a;
    const disabled = await rootUser();
    await users.setStatus(disabled, "disabled", at);
    expect(await users.changeRole(survivor, { from: "root", to: "usuario", at })).toBeUndefined();
    expect((await users.findById(survivor))?.role).toBe("root");
  });

  it("is a 409 from the service, audited as last_root", async () => {
    const deps = { clock: new ManualClock(), random: cryptoRandom };
    const shared = createShared(
      env,
      deps,
      createLogger("error", {}, () => {}),
      backgroundContext(deps),
    );
    const service = new UserAdminService(shared);
    const only = (await users.list({ role: "root", status: "active" }, { limit: 10 })).users;
    expect(only).toHaveLength(1);
    // A root who lost the role a moment ago, still acting on what authentication read then.
    const staleActor = { kind: "user", userId: await insertUser(db), role: "root", scopes: SCOPES } as const;
    await expect(service.changeRole(staleActor, only[0]!.id, "admin")).rejects.toMatchObject({
      code: "CONFLICT",
      message: "This is the last active root: make someone else root first",
    });
    const row = (await allAuditRows()).find(
      (audit) => audit.event === "user.role_change" && audit.target_id === only[0]!.id,
    );
    expect(row).toMatchObject({ result: "failure", reason: "last_root", target_id: only[0]!.id });
  });
});
